/** Typed sample API answers for component tests. */
import { AxiosError, AxiosHeaders, type AxiosResponse } from "axios";

import type { Dataset, ModelType, RoundState, TaskDetail } from "../api/types";

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

/** An error shaped like the one Axios throws for a 4xx answer with a JSON body. */
export function httpError(status: number, data: unknown): AxiosError {
  const config = { headers: new AxiosHeaders() };
  const response: AxiosResponse = { status, statusText: "", data, headers: {}, config };
  return new AxiosError(`Request failed with status code ${status}`, "ERR_BAD_REQUEST", config, {}, response);
}
