import { useId, useState, type FormEvent } from "react";

import { startLora } from "../api/client";
import type { LoraRequest } from "../api/types";
import { emptyValues, parseNumberFields, type NumberValues } from "../lib/numberFields";
import { ErrorMessage } from "./ErrorMessage";
import { FoldedNumberFields } from "./FoldedNumberFields";

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

interface LoraFormProps {
  datasetId: string;
  /** Called with the id of the new LoRA job. */
  onStarted: (jobId: string) => void;
}

/** Starts a LoRA fine-tuning job whose Bayesian search picks rank, alpha and learning rate. */
export function LoraForm({ datasetId, onStarted }: LoraFormProps) {
  const baseId = useId();
  const [values, setValues] = useState<LoraFormValues>(INITIAL_LORA_VALUES);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const { request, problem } = parseLoraForm(datasetId, values);

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    if (!request || submitting) return;
    setSubmitting(true);
    setError(null);
    try {
      const created = await startLora(request);
      onStarted(created.job_id);
    } catch (failure) {
      setError(failure);
      setSubmitting(false);
    }
  }

  const inputClass =
    "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30";
  return (
    <form onSubmit={handleSubmit} noValidate data-testid="lora-form" className="space-y-4">
      <div className="grid gap-4 sm:grid-cols-[minmax(0,1fr)_minmax(0,10rem)]">
        <div>
          <label htmlFor={`${baseId}-base`} className="block text-sm font-medium text-slate-700">
            Base model
          </label>
          <input
            id={`${baseId}-base`}
            data-testid="lora-base-model"
            type="text"
            placeholder="server default (smollm2)"
            value={values.base_model}
            onChange={(event) => setValues({ ...values, base_model: event.target.value })}
            aria-describedby={`${baseId}-base-hint`}
            className={`${inputClass} font-mono`}
          />
          <p id={`${baseId}-base-hint`} className="mt-1 text-xs text-slate-500">
            A Hugging Face id, a directory the workers can read, or smollm2 (packaged with the server).
          </p>
        </div>
        <div>
          <label htmlFor={`${baseId}-trials`} className="block text-sm font-medium text-slate-700">
            Trials
          </label>
          <input
            id={`${baseId}-trials`}
            data-testid="lora-n-trials"
            type="number"
            inputMode="numeric"
            min={1}
            step={1}
            placeholder="default"
            value={values.n_trials}
            onChange={(event) => setValues({ ...values, n_trials: event.target.value })}
            aria-describedby={`${baseId}-trials-hint`}
            className={inputClass}
          />
          <p id={`${baseId}-trials-hint`} className="mt-1 text-xs text-slate-500">
            Settings tried by the search.
          </p>
        </div>
      </div>
      <FoldedNumberFields
        fields={LORA_FIELDS}
        value={values.params}
        onChange={(params) => setValues({ ...values, params })}
        testIdPrefix="lora"
        title="Training settings"
      />
      <div className="flex flex-col gap-3 sm:flex-row sm:items-center">
        <button
          type="submit"
          data-testid="lora-button"
          disabled={Boolean(problem) || submitting}
          className="inline-flex items-center justify-center rounded-lg bg-indigo-600 px-5 py-2.5 text-sm font-semibold text-white shadow-sm transition-colors hover:bg-indigo-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:cursor-not-allowed disabled:bg-slate-300 disabled:text-slate-600"
        >
          {submitting ? "Starting…" : "Fine-tune with LoRA"}
        </button>
        <p className="text-sm text-slate-500">
          {problem ?? "Searches LoRA rank, alpha and learning rate; keeps the adapter with the lowest eval loss."}
        </p>
      </div>
      {error !== null && <ErrorMessage error={error} title="Fine-tuning could not start" testId="lora-error" />}
    </form>
  );
}
