/** What a dataset's status allows in pipeline B (generate, validate, fine-tune), mirroring the server's rules. */
import type { Dataset, DatasetStatus } from "../api/types";

export const BUSY_DATASET_STATUSES: readonly DatasetStatus[] = ["GENERATING", "VALIDATING"];

/** Statuses the server lets move to VALIDATING (its transition table). */
const VALIDATABLE: readonly DatasetStatus[] = ["UPLOADED", "GENERATED", "READY_FOR_FINE_TUNING", "error"];

export function isDatasetBusy(status: string): boolean {
  return (BUSY_DATASET_STATUSES as readonly string[]).includes(status);
}

export interface DatasetActions {
  generate: boolean;
  validate: boolean;
  fineTune: boolean;
}

type StatusAndKind = Pick<Dataset, "status" | "kind">;

/** The actions to offer: a job already running or deleted data allows none; LoRA needs READY_FOR_FINE_TUNING. */
export function datasetActions(dataset: StatusAndKind): DatasetActions {
  const instructions = dataset.kind === "instructions";
  const idle = !isDatasetBusy(dataset.status) && dataset.status !== "DELETED";
  return {
    generate: instructions && idle,
    validate: instructions && VALIDATABLE.includes(dataset.status),
    fineTune: instructions && dataset.status === "READY_FOR_FINE_TUNING",
  };
}

/** Why fine-tuning is not offered (or null when it is), in words a user can act on. */
export function fineTuneBlocker(dataset: StatusAndKind): string | null {
  if (datasetActions(dataset).fineTune) return null;
  if (dataset.kind !== "instructions") {
    return "Only instruction datasets (with an instruction column) can be generated from, validated and fine-tuned on.";
  }
  switch (dataset.status) {
    case "GENERATING":
      return "Generation is running: validate the dataset once it is GENERATED, then fine-tune.";
    case "VALIDATING":
      return "Validation is running: fine-tuning is offered if it ends READY_FOR_FINE_TUNING.";
    case "DELETED":
      return "Validation rejected this dataset and removed its data; the report says which rules failed.";
    default:
      return "Fine-tuning with LoRA needs a dataset validated as READY_FOR_FINE_TUNING: validate it first.";
  }
}

/** Whether the server holds data to download (a job in progress may not have written any yet). */
export function hasDownloadableData(dataset: Pick<Dataset, "status" | "rows">): boolean {
  return dataset.status !== "DELETED" && dataset.status !== "GENERATING" && dataset.rows > 0;
}

export function kindLabel(kind: Dataset["kind"]): string {
  if (kind === "instructions") return "instructions";
  return kind ? `${kind} data` : "unknown";
}
