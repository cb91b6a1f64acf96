/** Typed sample API answers for component tests. */
import { AxiosError, AxiosHeaders, type AxiosResponse } from "axios";

import type {
  Baseline,
  Dataset,
  EvaluationReport,
  LoraJob,
  LoraTrial,
  ModelType,
  Prediction,
  RoundState,
  TaskDetail,
  TrainingBudget,
  ValidationReport,
} from "../api/types";

export const MODEL_TYPES: ModelType[] = [
  {
    model_type: "distilbert",
    kind: "text",
    description: "DistilBERT",
    default_source: "distilbert-base-uncased",
    pretrained_available: false,
  },
  {
    model_type: "minilm",
    kind: "text",
    description: "MiniLM",
    default_source: "all-MiniLM-L6-v2",
    pretrained_available: true,
  },
  {
    model_type: "mobilenet_v2",
    kind: "image",
    description: "MobileNetV2",
    default_source: "mobilenet_v2",
    pretrained_available: false,
  },
];

export function makeDataset(overrides: Partial<Dataset> = {}): Dataset {
  return {
    dataset_id: "ds_1",
    url: "/api/datasets/ds_1/download",
    name: "reviews.csv",
    format: "csv",
    rows: 40,
    columns: ["text", "label"],
    kind: "text",
    label_column: "label",
    text_column: "text",
    image_column: null,
    label_counts: { pos: 20, neg: 20 },
    preview: [
      { text: "great", label: "pos" },
      { text: "awful", label: "neg" },
    ],
    status: "UPLOADED",
    created_at: "2025-01-01T10:00:00Z",
    ...overrides,
  };
}

/** Seed tasks as the server summarises an upload of seed_tasks.jsonl. */
export function makeInstructionDataset(overrides: Partial<Dataset> = {}): Dataset {
  return {
    dataset_id: "ds_seed",
    url: "/api/datasets/ds_seed/download",
    name: "seed_tasks.jsonl",
    format: "jsonl",
    rows: 175,
    columns: ["id", "name", "instruction", "instances", "is_classification"],
    kind: "instructions",
    label_column: null,
    text_column: null,
    image_column: null,
    label_counts: null,
    preview: [{ id: "seed_task_0", name: "breakfast", instruction: "Suggest a breakfast without eggs." }],
    status: "UPLOADED",
    created_at: "2025-01-01T10:00:00Z",
    seed_dataset_id: null,
    progress: null,
    metrics: null,
    report: null,
    error: null,
    ...overrides,
  };
}

export function makeReport(overrides: Partial<ValidationReport> = {}): ValidationReport {
  const metrics = {
    records: 12,
    valid_records: 11,
    invalid_records: 0,
    exact_duplicates: 0,
    near_duplicates: 1,
    duplicate_records: 1,
    failures_by_rule: { schema: 0, json_output: 2, instruction_length: 0, near_duplicate: 1 },
    mean_nearest_rouge_l: 0.2346,
    mean_self_bleu: 12.34,
    reference_copies: 0,
    mean_reference_rouge_l: 0.1111,
    mean_reference_bleu: 3.21,
  };
  return {
    verdict: "READY_FOR_FINE_TUNING",
    failed_rules: [],
    rules: [
      {
        rule: "min_valid_records",
        passed: true,
        value: 11,
        limit: 5,
        message: "11 of 12 records pass every record rule (need 5)",
      },
      {
        rule: "max_duplicate_fraction",
        passed: true,
        value: 0.0833,
        limit: 0.2,
        message: "8.3% of records are exact or near duplicates (allowed 20%)",
      },
    ],
    metrics,
    failing_records: 1,
    ...overrides,
  };
}

export function makeTrial(number: number, overrides: Partial<LoraTrial> = {}): LoraTrial {
  return {
    number,
    params: { rank: 4 * (number + 1), lora_alpha: 8 + number, learning_rate: 0.00316 },
    eval_loss: 2 - number * 0.1,
    state: "COMPLETE",
    seconds: 1.5,
    eval_losses: [[4, 2.5]],
    ...overrides,
  };
}

export function makeLoraJob(overrides: Partial<LoraJob> = {}): LoraJob {
  return {
    job_id: "lora_1",
    status: "running",
    dataset_id: "ds_gen",
    base_model: "smollm2",
    n_trials: 3,
    trials: [makeTrial(0)],
    best_trial: null,
    error: null,
    created_at: "2025-01-01T10:00:00Z",
    updated_at: "2025-01-01T10:01:00Z",
    download_url: null,
    ...overrides,
  };
}

export function makeRounds(count: number, evaluated = count): RoundState[] {
  return Array.from({ length: count }, (_, round) => ({
    round,
    status: round < evaluated ? "done" : "running",
    metrics:
      round < evaluated ? { accuracy: 0.6 + round * 0.1, macro_f1: 0.55 + round * 0.1, loss: 0.8 - round * 0.2 } : null,
    rows_covered: round < evaluated ? 1 : 0.5,
  }));
}

export function makeTask(overrides: Partial<TaskDetail> = {}): TaskDetail {
  return {
    task_id: "t1",
    status: "running",
    progress: 40,
    model_type: "distilbert",
    kind: "text",
    dataset_id: "ds_1",
    created_at: "2025-01-01T10:00:00Z",
    updated_at: "2025-01-01T10:01:00Z",
    error: null,
    params: { num_shards: 2, rounds: 2, epochs: 1 },
    info: { pretrained: false, weights_source: "config" },
    current_round: 0,
    shards: [
      { round: 0, index: 0, status: "running", rows: 16, progress: 50, worker: "w1", error: null },
      { round: 0, index: 1, status: "queued", rows: 16, progress: 0, worker: null, error: null },
    ],
    rounds: makeRounds(1, 0),
    model_id: null,
    ...overrides,
  };
}

/** `rounds` with validation scores: accuracy 0.02 below each round's held-out accuracy. */
export function withValidation(rounds: RoundState[]): RoundState[] {
  return rounds.map((round) =>
    round.metrics
      ? {
          ...round,
          metrics: {
            ...round.metrics,
            validation: {
              accuracy: (round.metrics.accuracy ?? 0) - 0.02,
              macro_f1: (round.metrics.macro_f1 ?? 0) - 0.02,
              loss: (round.metrics.loss ?? 0) + 0.05,
            },
          },
        }
      : round,
  );
}

export const AUTO_BUDGET: TrainingBudget = {
  max_rounds: 20,
  epochs: 3,
  patience: 2,
  min_delta: 0.005,
  time_budget_minutes: 10,
  validation_rows: 120,
};

export const STARTED_AT = "2025-01-01T10:00:00Z";

/** A running auto run in its second round (the first evaluated), started at `STARTED_AT`. */
export function makeAutoTask(overrides: Partial<TaskDetail> = {}): TaskDetail {
  return makeTask({
    params: { num_shards: 2, rounds: 20, epochs: 3, early_stopping: true },
    info: { pretrained: false, weights_source: "config", budget: AUTO_BUDGET },
    started_at: STARTED_AT,
    current_round: 1,
    rounds: withValidation(makeRounds(2, 1)),
    kept_round: null,
    stop_reason: null,
    baseline: null,
    ...overrides,
  });
}

/** The majority class (50%) and a classical text baseline at `classicalAccuracy`. */
export function makeBaselines(classicalAccuracy = 0.65): Baseline[] {
  return [
    { kind: "majority", name: "majority class", accuracy: 0.5, macro_f1: 0.333 },
    {
      kind: "classical",
      name: "TF-IDF + logistic regression",
      accuracy: classicalAccuracy,
      macro_f1: classicalAccuracy - 0.03,
    },
  ];
}

/** An error shaped like the one Axios throws for a 4xx answer with a JSON body. */
export function httpError(status: number, data: unknown): AxiosError {
  const config = { headers: new AxiosHeaders() };
  const response: AxiosResponse = { status, statusText: "", data, headers: {}, config };
  return new AxiosError(`Request failed with status code ${status}`, "ERR_BAD_REQUEST", config, {}, response);
}

/** `rounds` with each shard's local loss: `loss(round, shard)`, by default falling a little each round. */
export function withShardLosses(
  rounds: RoundState[],
  shards = 2,
  loss: (round: number, shard: number) => number = (round, shard) => 0.9 - round * 0.2 + shard * 0.02,
): RoundState[] {
  return rounds.map((round) =>
    round.metrics
      ? {
          ...round,
          shard_losses: Array.from({ length: shards }, (_, shard) => ({ shard, train_loss: loss(round.round, shard) })),
        }
      : { ...round, shard_losses: [] },
  );
}

/** A 1x1 PNG, as the server sends image thumbnails. */
export const PNG_DATA_URL =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

/** Three classes, 30 evaluation rows: "neutral" is the one the model confuses. */
export function makeEvaluation(overrides: Partial<EvaluationReport> = {}): EvaluationReport {
  return {
    accuracy: 0.8,
    macro_f1: 0.78,
    labels: ["negative", "neutral", "positive"],
    confusion_matrix: [
      [9, 1, 0],
      [2, 6, 2],
      [0, 1, 9],
    ],
    per_class: [
      { label: "negative", precision: 0.818, recall: 0.9, f1: 0.857, support: 10 },
      { label: "neutral", precision: 0.75, recall: 0.6, f1: 0.667, support: 10 },
      { label: "positive", precision: 0.818, recall: 0.9, f1: 0.857, support: 10 },
    ],
    examples: [
      { input: "not bad at all", label: "positive", predicted: "negative", score: 0.71 },
      { input: "it was a film", label: "neutral", predicted: "positive", score: 0.55 },
    ],
    ...overrides,
  };
}

/** The top 3 labels of one input, most likely first. */
export const PREDICTIONS: Prediction[] = [
  { label: "positive", score: 0.82 },
  { label: "neutral", score: 0.12 },
  { label: "negative", score: 0.06 },
];
