/** Shapes of the TrainNet HTTP API (see the API contract in the backend's schemas). */

export type ModelKind = "image" | "text";

export interface Health {
  status: string;
  version: string;
}

export interface ModelType {
  model_type: string;
  kind: ModelKind;
  description: string;
  default_source: string;
  pretrained_available: boolean;
}

export type Scalar = string | number | boolean | null;

/** What an upload looks like: data for pipeline A (text, image) or instruction tasks for pipeline B. */
export type DatasetKind = ModelKind | "instructions";

export type DatasetStatus =
  "UPLOADED" | "GENERATING" | "GENERATED" | "VALIDATING" | "READY_FOR_FINE_TUNING" | "DELETED" | "error";

export interface Dataset {
  dataset_id: string;
  url: string;
  name: string;
  format: "csv" | "json" | "jsonl";
  rows: number;
  columns: string[];
  kind: DatasetKind | null;
  label_column: string | null;
  text_column: string | null;
  image_column: string | null;
  label_counts: Record<string, number> | null;
  preview: Record<string, Scalar>[];
  /** What was read from a .zip of images (absent for other uploads). */
  images?: ImageArchiveSummary | null;
  status: DatasetStatus;
  created_at: string;
  /** The seed a generated dataset came from. */
  seed_dataset_id?: string | null;
  /** 0..100 while GENERATING. */
  progress?: number | null;
  metrics?: ValidationMetrics | null;
  report?: ValidationReport | null;
  error?: string | null;
  /** A generation's live counters, refreshed after every call to the teacher. */
  generation?: GenerationProgress | null;
}

/** The teacher a generation used, as it describes itself. */
export interface TeacherInfo {
  kind?: "llamacpp" | "local" | "openai";
  model?: string;
  base_url?: string;
  threads?: number;
  parallel?: number;
  /** Why the llama.cpp teacher was replaced by the transformers one. */
  fallback?: string;
  /** How the weights were prepared, e.g. a Q4_1 GGUF requantized to Q8_0 for llama.cpp's fast kernels. */
  weights?: string;
}

/** Where a generation stands (the worker's `GenerationProgress`). */
export interface GenerationProgress {
  teacher?: TeacherInfo;
  target?: number;
  kept?: number;
  rounds?: number;
  /** Tasks parsed from the teacher's proposals. */
  proposed?: number;
  /** Dropped candidates by reason: parse_failure, near_duplicate, truncated_output, the filters' rules. */
  rejected?: Record<string, number>;
  truncated_proposals?: number;
  new_records?: number;
  tokens?: number;
  elapsed_seconds?: number;
  records_per_minute?: number;
  tokens_per_second?: number;
}

export interface SkippedFile {
  file: string;
  reason: string;
}

export interface ImageArchiveSummary {
  layout: string;
  image_count: number;
  /** The most common sizes ("28x28") and how many images have each. */
  sizes: Record<string, number>;
  formats: Record<string, number>;
  skipped_count: number;
  skipped: SkippedFile[];
}

export interface DatasetThumbnails {
  dataset_id: string;
  /** Per label, a few PNG thumbnails as data URLs. */
  thumbnails: Record<string, string[]>;
}

export interface LengthStats {
  count: number;
  min?: number;
  max?: number;
  mean?: number;
  median?: number;
  p95?: number;
}

/** Aggregates of a validation run (the worker's `report.metrics`). */
export interface ValidationMetrics {
  records?: number;
  valid_records?: number;
  invalid_records?: number;
  exact_duplicates?: number;
  near_duplicates?: number;
  duplicate_records?: number;
  /** Records failing each record rule: schema, json_output, instruction_length, output_length, … */
  failures_by_rule?: Record<string, number>;
  mean_nearest_rouge_l?: number;
  mean_self_bleu?: number;
  reference_copies?: number;
  mean_reference_rouge_l?: number;
  mean_reference_bleu?: number;
  lengths_in_words?: Record<string, LengthStats>;
  [key: string]: unknown;
}

export interface ValidationRule {
  rule: string;
  passed: boolean;
  value: number;
  limit: number;
  message: string;
  examples?: { index: number; failures: Record<string, string>; record: unknown }[];
}

/** The compact validation report stored with the dataset (per-record details stay in storage). */
export interface ValidationReport {
  verdict: string;
  failed_rules: string[];
  rules: ValidationRule[];
  metrics?: ValidationMetrics;
  failing_records?: number;
  [key: string]: unknown;
}

export type Teacher = "local" | "gguf" | "openai";

export interface GenerateRequest {
  num_examples: number;
  teacher: Teacher;
  /** gguf: the .gguf file's path on the server; openai: the model name. */
  teacher_model?: string;
  /** openai: the endpoint's base URL (the server's TEACHER_BASE_URL when left out). */
  teacher_url?: string;
  /** GenerationConfig overrides. */
  params?: Record<string, number | boolean>;
}

export interface ValidateRequest {
  /** ValidationPolicy overrides. */
  policy?: Record<string, number | null>;
}

/** The answer to generate (a new dataset) and validate (the same dataset). */
export interface DatasetJobAccepted {
  dataset_id: string;
  status: DatasetStatus;
}

/** Let the server decide: rounds by early stopping on the validation split, epochs from the data size. */
export type Auto = "auto";

export interface TrainRequest {
  model_type: string;
  dataset_id: string;
  num_shards?: number;
  /** Default "auto": at most `info.budget.max_rounds`, stopped early when validation accuracy stalls. */
  rounds?: number | Auto;
  /** Default "auto": local epochs per round chosen from the data size. */
  epochs?: number | Auto;
  /** Wall-time budget of an auto run, > 0 (server default 10). */
  time_budget_minutes?: number;
  /** Rounds without improvement before an auto run stops, integer >= 1 (server default 2). */
  patience?: number;
  /** Smallest validation-accuracy gain (a fraction) that counts as improvement, >= 0 (server default 0.005). */
  min_delta?: number;
  text_column?: string;
  image_column?: string;
  label_column?: string;
  base_model?: string;
}

export type TaskStatus = "pending" | "queued" | "running" | "done" | "error";

export const TERMINAL_STATUSES: readonly TaskStatus[] = ["done", "error"];

export interface TrainAccepted {
  task_id: string;
  status: TaskStatus;
}

export interface TaskSummary {
  task_id: string;
  status: TaskStatus;
  progress: number;
  model_type: string;
  dataset_id: string;
  created_at: string;
  updated_at: string;
  error: string | null;
}

export interface ShardState {
  round: number;
  index: number;
  status: "queued" | "running" | "done" | "failed";
  rows: number;
  progress: number;
  worker: string | null;
  error: string | null;
}

export interface Scores {
  accuracy?: number;
  macro_f1?: number;
  loss?: number;
}

/** A round's scores on the held-out evaluation split, plus (auto runs) on the validation split. */
export interface RoundMetrics extends Scores {
  /** Scores on the validation split carved out of the training rows. */
  validation?: Scores;
  /** On the last round of an auto run: the stored model's own scores, a greedy soup of the best `rounds`. */
  model?: Scores & { validation?: Scores; rounds: number[] };
}

/** A shard's mean local training loss in a round. */
export interface ShardLoss {
  shard: number;
  train_loss: number;
}

export interface RoundState {
  round: number;
  status: "running" | "done" | string;
  metrics: RoundMetrics | null;
  rows_covered: number;
  /** One entry per shard that finished the round (absent on tasks trained before shards reported it). */
  shard_losses?: ShardLoss[];
}

/** The automatic training budget the server chose (present for auto runs). */
export interface TrainingBudget {
  max_rounds: number;
  epochs: number;
  patience: number;
  min_delta: number;
  time_budget_minutes: number;
  validation_rows: number;
}

/** A simple model scored on the same held-out split as the trained one. */
export interface Baseline {
  kind: "majority" | "classical";
  /** e.g. "majority class", "TF-IDF + logistic regression", "logistic regression on 8x8 pixels" */
  name: string;
  accuracy: number;
  macro_f1: number;
}

/** One class's scores on the evaluation split. */
export interface ClassScores {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Evaluation rows whose true label is this class. */
  support: number;
}

/** An evaluation row the stored model got wrong. */
export interface MisclassifiedExample {
  /** The text, or a "data:image/png;base64,..." thumbnail for image models. */
  input: string;
  /** The true label. */
  label: string;
  predicted: string;
  /** The model's probability for `predicted`. */
  score: number;
}

/** The stored model scored on the evaluation split (the finalizer computes it once training stops). */
export interface EvaluationReport {
  accuracy: number;
  macro_f1: number;
  labels: string[];
  /** Rows are true labels, columns predicted labels, both in the order of `labels`. */
  confusion_matrix: number[][];
  per_class: ClassScores[];
  examples: MisclassifiedExample[];
}

export type WeightsSource = "bundled" | "hub" | "local" | "random init";

/** The starting weights by name: e.g. all-MiniLM-L6-v2, bundled. */
export interface BaseModelInfo {
  name: string;
  source: WeightsSource;
}

export interface TaskDetail extends TaskSummary {
  kind: ModelKind;
  params: {
    num_shards?: number;
    /** The number used: for an auto run, the most rounds it may take. */
    rounds?: number;
    /** The number used: for an auto run, the local epochs per round chosen from the data size. */
    epochs?: number;
    /** True when early stopping decides the number of rounds. */
    early_stopping?: boolean;
    [key: string]: unknown;
  };
  info: {
    pretrained?: boolean;
    weights_source?: string;
    /** A random init's shared training on all training rows before the shards copy it. */
    warmup?: { epochs: number; rows: number; steps: number; seconds: number };
    budget?: TrainingBudget;
    [key: string]: unknown;
  };
  current_round: number;
  shards: ShardState[];
  rounds: RoundState[];
  model_id: string | null;
  /** When the task first ran: an auto run's time budget counts from here. */
  started_at?: string | null;
  finished_at?: string | null;
  /** The round (as in `rounds[i].round`) whose model was stored: the best by validation accuracy for auto runs. */
  kept_round?: number | null;
  /** The rounds whose weights the stored model averages (a greedy soup), best first; [kept_round] when alone. */
  averaged_rounds?: number[] | null;
  /** Why training stopped, a sentence such as "reached the maximum of 20 rounds". */
  stop_reason?: string | null;
  /** null until the prepare job has computed them. */
  baseline?: Baseline[] | null;
  /** null until the stored model has been evaluated. */
  evaluation?: EvaluationReport | null;
  base_model?: BaseModelInfo | null;
}

export interface PredictRequest {
  /** Texts for a text model, or base64 PNG/JPEG data URLs for an image model. */
  inputs: string[];
  top_k?: number;
}

export interface Prediction {
  label: string;
  /** Softmax probability, 0..1. */
  score: number;
}

/** The top-k labels of each input, most likely first. */
export interface PredictResponse {
  predictions: Prediction[][];
}

export interface TaskStatusResponse {
  task_id: string;
  status: TaskStatus;
  progress: number;
  error: string | null;
}

export interface Worker {
  name: string;
  hostname: string;
  queues: string[];
  active_jobs: number;
  jobs: string[];
  last_heartbeat: string;
}

export interface LoraRequest {
  dataset_id: string;
  base_model?: string;
  n_trials?: number;
  /** LoraTuningConfig overrides. */
  params?: Record<string, number>;
}

export type LoraJobStatus = "queued" | "running" | "done" | "error";

export const LORA_TERMINAL_STATUSES: readonly LoraJobStatus[] = ["done", "error"];

export interface LoraJobCreated {
  job_id: string;
  status: LoraJobStatus;
}

export interface LoraTrialParams {
  rank?: number;
  lora_alpha?: number;
  learning_rate?: number;
}

/** One Optuna trial as the worker reports it. */
export interface LoraTrial {
  number: number;
  params: LoraTrialParams;
  eval_loss: number | null;
  /** COMPLETE, PRUNED, FAIL, RUNNING */
  state: string;
  seconds: number | null;
  eval_losses?: [number, number][];
  fail_reason?: string;
}

export interface LoraBestTrial {
  number: number;
  params: LoraTrialParams;
  eval_loss: number;
}

export interface LoraJob {
  job_id: string;
  status: LoraJobStatus;
  dataset_id: string;
  base_model: string;
  n_trials: number;
  trials: LoraTrial[];
  best_trial: LoraBestTrial | null;
  error: string | null;
  created_at: string;
  updated_at: string;
  download_url: string | null;
}

/** POST /api/lora/{id}/generate */
export interface PlaygroundRequest {
  prompt: string;
  /** 1..256, server default 64. */
  max_new_tokens?: number;
}

/** The same prompt completed greedily by the base model and by base + adapter. */
export interface PlaygroundCompletions {
  base: string;
  adapter: string;
}
