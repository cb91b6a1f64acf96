/** The one HTTP client for the TrainNet API: one function per endpoint, typed responses. */
import axios, { isAxiosError } from "axios";

import type {
  Dataset,
  DatasetJobAccepted,
  DatasetThumbnails,
  GenerateRequest,
  Health,
  LoraJob,
  LoraJobCreated,
  LoraRequest,
  ModelType,
  PlaygroundCompletions,
  PlaygroundRequest,
  PredictRequest,
  PredictResponse,
  TaskDetail,
  TaskStatusResponse,
  TaskSummary,
  TrainAccepted,
  TrainRequest,
  ValidateRequest,
  Worker,
} from "./types";

export const API_BASE = "/api";

const http = axios.create({ baseURL: API_BASE, timeout: 30_000 });

interface RequestOptions {
  signal?: AbortSignal;
}

/** GET /api/ */
export async function getHealth(options: RequestOptions = {}): Promise<Health> {
  return (await http.get<Health>("/", options)).data;
}

/** GET /api/model_types */
export async function listModelTypes(options: RequestOptions = {}): Promise<ModelType[]> {
  return (await http.get<ModelType[]>("/model_types", options)).data;
}

/** POST /api/datasets; `onProgress` receives the uploaded fraction (0..1). */
export async function uploadDataset(
  file: File,
  onProgress?: (fraction: number) => void,
  options: RequestOptions = {},
): Promise<Dataset> {
  const form = new FormData();
  form.append("file", file);
  const response = await http.post<Dataset>("/datasets", form, {
    ...options,
    timeout: 0, // a slow link may need minutes for 10 MB
    onUploadProgress: (event) => {
      const total = event.total ?? file.size;
      if (onProgress && total > 0) onProgress(Math.min(1, event.loaded / total));
    },
  });
  return response.data;
}

/** GET /api/datasets (newest first) */
export async function listDatasets(options: RequestOptions = {}): Promise<Dataset[]> {
  return (await http.get<Dataset[]>("/datasets", options)).data;
}

/** GET /api/datasets/{id} */
export async function getDataset(datasetId: string, options: RequestOptions = {}): Promise<Dataset> {
  return (await http.get<Dataset>(`/datasets/${encodeURIComponent(datasetId)}`, options)).data;
}

/** GET /api/datasets/{id}/thumbnails: a few images per class of an image dataset (none for other data). */
export async function getDatasetThumbnails(
  datasetId: string,
  options: RequestOptions = {},
): Promise<DatasetThumbnails> {
  return (await http.get<DatasetThumbnails>(`/datasets/${encodeURIComponent(datasetId)}/thumbnails`, options)).data;
}

/** GET /api/datasets/{id}/download is a file: the browser fetches it through a plain link. */
export function downloadDatasetUrl(datasetId: string): string {
  return `${API_BASE}/datasets/${encodeURIComponent(datasetId)}/download`;
}

/** POST /api/datasets/{id}/generate: a new dataset, GENERATING, from this seed dataset. */
export async function generateDataset(
  seedDatasetId: string,
  request: GenerateRequest,
  options: RequestOptions = {},
): Promise<DatasetJobAccepted> {
  const path = `/datasets/${encodeURIComponent(seedDatasetId)}/generate`;
  return (await http.post<DatasetJobAccepted>(path, request, options)).data;
}

/** POST /api/datasets/{id}/validate */
export async function validateDataset(
  datasetId: string,
  request: ValidateRequest = {},
  options: RequestOptions = {},
): Promise<DatasetJobAccepted> {
  const path = `/datasets/${encodeURIComponent(datasetId)}/validate`;
  return (await http.post<DatasetJobAccepted>(path, request, options)).data;
}

/** POST /api/train */
export async function startTraining(request: TrainRequest, options: RequestOptions = {}): Promise<TrainAccepted> {
  return (await http.post<TrainAccepted>("/train", request, options)).data;
}

/** GET /api/tasks (newest first) */
export async function listTasks(options: RequestOptions = {}): Promise<TaskSummary[]> {
  return (await http.get<TaskSummary[]>("/tasks", options)).data;
}

/** GET /api/tasks/{id} */
export async function getTask(taskId: string, options: RequestOptions = {}): Promise<TaskDetail> {
  return (await http.get<TaskDetail>(`/tasks/${encodeURIComponent(taskId)}`, options)).data;
}

/** GET /api/tasks/{id}/status */
export async function getTaskStatus(taskId: string, options: RequestOptions = {}): Promise<TaskStatusResponse> {
  return (await http.get<TaskStatusResponse>(`/tasks/${encodeURIComponent(taskId)}/status`, options)).data;
}

/** GET /api/tasks/{id}/download_model is a file: the browser fetches it through a plain link. */
export function downloadModelUrl(taskId: string): string {
  return `${API_BASE}/tasks/${encodeURIComponent(taskId)}/download_model`;
}

/** POST /api/models/{id}/predict with JSON inputs: the top-k labels of each. */
export async function predict(
  modelId: string,
  request: PredictRequest,
  options: RequestOptions = {},
): Promise<PredictResponse> {
  const path = `/models/${encodeURIComponent(modelId)}/predict`;
  // The first call loads the model on the server.
  return (await http.post<PredictResponse>(path, request, { ...options, timeout: 120_000 })).data;
}

/** POST /api/models/{id}/predict with a CSV/JSON/JSONL file: the rows back as CSV with prediction and score. */
export async function scoreFile(modelId: string, file: File, options: RequestOptions = {}): Promise<Blob> {
  const form = new FormData();
  form.append("file", file);
  const path = `/models/${encodeURIComponent(modelId)}/predict`;
  try {
    return (await http.post<Blob>(path, form, { ...options, responseType: "blob", timeout: 0 })).data;
  } catch (error) {
    throw await withJsonErrorBody(error);
  }
}

/** An error answer read as a Blob (a file was asked for) parsed back into its JSON `detail`, when it is JSON. */
async function withJsonErrorBody(error: unknown): Promise<unknown> {
  const response = isAxiosError(error) ? error.response : undefined;
  if (response && response.data instanceof Blob) {
    const text = await response.data.text();
    try {
      response.data = JSON.parse(text);
    } catch {
      response.data = text;
    }
  }
  return error;
}

/** GET /api/workers */
export async function listWorkers(options: RequestOptions = {}): Promise<Worker[]> {
  return (await http.get<Worker[]>("/workers", options)).data;
}

/** POST /api/lora */
export async function startLora(request: LoraRequest, options: RequestOptions = {}): Promise<LoraJobCreated> {
  return (await http.post<LoraJobCreated>("/lora", request, options)).data;
}

/** GET /api/lora (newest first) */
export async function listLoraJobs(options: RequestOptions = {}): Promise<LoraJob[]> {
  return (await http.get<LoraJob[]>("/lora", options)).data;
}

/** GET /api/lora/{id} */
export async function getLoraJob(jobId: string, options: RequestOptions = {}): Promise<LoraJob> {
  return (await http.get<LoraJob>(`/lora/${encodeURIComponent(jobId)}`, options)).data;
}

/** GET /api/lora/{id}/download_adapter is a file: the browser fetches it through a plain link. */
export function downloadAdapterUrl(jobId: string): string {
  return `${API_BASE}/lora/${encodeURIComponent(jobId)}/download_adapter`;
}

/** POST /api/lora/{id}/generate: the prompt completed by the base model and by base + adapter. */
export async function generateWithAdapter(
  jobId: string,
  request: PlaygroundRequest,
  options: RequestOptions = {},
): Promise<PlaygroundCompletions> {
  const path = `/lora/${encodeURIComponent(jobId)}/generate`;
  // The first call loads the base model and the adapter on the server, which can take a minute.
  return (await http.post<PlaygroundCompletions>(path, request, { ...options, timeout: 300_000 })).data;
}
