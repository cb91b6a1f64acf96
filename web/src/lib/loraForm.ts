/** The LoRA fine-tuning form: its fields, initial values and the request they describe. */
import type { LoraRequest } from "../api/types";
import { emptyValues, parseNumberFields, type NumberValues } from "./numberFields";

/** LoraTuningConfig overrides that decide how long a trial takes; the search space stays the server's. */
export const LORA_FIELDS = [
  {
    key: "max_steps",
    label: "Steps per trial",
    hint: "Optimizer steps of each trial; replaces epochs when set.",
    integer: true,
    min: 1,
  },
  { key: "epochs", label: "Epochs per trial", hint: "Passes over the training split.", integer: true, min: 1 },
  { key: "batch_size", label: "Batch size", hint: "Examples per optimizer step.", integer: true, min: 1 },
  {
    key: "max_length",
    label: "Token limit",
    hint: "Longest prompt + response, in tokens.",
    integer: true,
    min: 16,
  },
  {
    key: "eval_fraction",
    label: "Held-out share",
    hint: "Share of the records kept aside to score trials (up to 0.5).",
    min: 0,
    minExclusive: true,
    max: 0.5,
  },
  {
    key: "evals_per_trial",
    label: "Evaluations per trial",
    hint: "Eval-loss measurements per trial; poor trials stop early.",
    integer: true,
    min: 1,
  },
] as const;

type LoraKey = (typeof LORA_FIELDS)[number]["key"];

export interface LoraFormValues {
  base_model: string;
  n_trials: string;
  params: NumberValues<LoraKey>;
}

export const INITIAL_LORA_VALUES: LoraFormValues = { base_model: "", n_trials: "", params: emptyValues(LORA_FIELDS) };

/** The request for `datasetId` the form describes, or why it cannot be sent. */
export function parseLoraForm(
  datasetId: string,
  values: LoraFormValues,
): { request: LoraRequest | null; problem: string | null } {
  const request: LoraRequest = { dataset_id: datasetId };
  const trials = values.n_trials.trim();
  if (trials) {
    const count = Number(trials);
    if (!Number.isInteger(count) || count < 1) {
      return { request: null, problem: "Trials must be a whole number of at least 1." };
    }
    request.n_trials = count;
  }
  if (values.base_model.trim()) request.base_model = values.base_model.trim();
  const params = parseNumberFields(LORA_FIELDS, values.params);
  if (params.problem) return { request: null, problem: params.problem };
  if (Object.keys(params.values).length > 0) request.params = params.values;
  return { request, problem: null };
}
