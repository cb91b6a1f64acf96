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

export interface Dataset {
  dataset_id: string;
  url: string;
  name: string;
  format: "csv" | "json" | "jsonl";
  rows: number;
  columns: string[];
  kind: ModelKind | null;
  label_column: string | null;
  text_column: string | null;
  image_column: string | null;
  label_counts: Record<string, number> | null;
  preview: Record<string, Scalar>[];
  status: string;
  created_at: string;
}

export interface TrainRequest {
  model_type: string;
  dataset_id: string;
  num_shards?: number;
  rounds?: number;
  epochs?: number;
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

export interface RoundMetrics {
  accuracy?: number;
  macro_f1?: number;
  loss?: number;
}

export interface RoundState {
  round: number;
  status: "running" | "done" | string;
  metrics: RoundMetrics | null;
  rows_covered: number;
}

export interface TaskDetail extends TaskSummary {
  kind: ModelKind;
  params: {
    num_shards?: number;
    rounds?: number;
    epochs?: number;
    [key: string]: unknown;
  };
  info: {
    pretrained?: boolean;
    weights_source?: string;
    [key: string]: unknown;
  };
  current_round: number;
  shards: ShardState[];
  rounds: RoundState[];
  model_id: string | null;
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
