import { useState } from "react";

import { startLora } from "../api/client";
import type { LoraRequest } from "../api/types";
import { useSubmit } from "../hooks/useSubmit";
import { emptyValues, parseNumberFields, type NumberValues } from "../lib/numberFields";
import { ErrorMessage } from "./ErrorMessage";
import { FoldedNumberFields } from "./FoldedNumberFields";
import { InputField } from "./InputField";
import { SubmitRow } from "./SubmitRow";

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
  const [values, setValues] = useState<LoraFormValues>(INITIAL_LORA_VALUES);
  const { request, problem } = parseLoraForm(datasetId, values);
  const { submitting, error, onSubmit } = useSubmit(
    request
      ? async () => {
          const created = await startLora(request);
          onStarted(created.job_id);
        }
      : null,
  );

  return (
    <form onSubmit={onSubmit} noValidate data-testid="lora-form" className="space-y-4">
      <div className="grid gap-4 sm:grid-cols-[minmax(0,1fr)_minmax(0,10rem)]">
        <InputField
          label="Base model"
          hint="A Hugging Face id, a directory the workers can read, or smollm2 (packaged with the server)."
          mono
          data-testid="lora-base-model"
          type="text"
          placeholder="server default (smollm2)"
          value={values.base_model}
          onChange={(event) => setValues({ ...values, base_model: event.target.value })}
        />
        <InputField
          label="Trials"
          hint="Settings tried by the search."
          data-testid="lora-n-trials"
          type="number"
          inputMode="numeric"
          min={1}
          step={1}
          placeholder="default"
          value={values.n_trials}
          onChange={(event) => setValues({ ...values, n_trials: event.target.value })}
        />
      </div>
      <FoldedNumberFields
        fields={LORA_FIELDS}
        value={values.params}
        onChange={(params) => setValues({ ...values, params })}
        testIdPrefix="lora"
        title="Training settings"
      />
      <SubmitRow
        label="Fine-tune with LoRA"
        testId="lora-button"
        submitting={submitting}
        blocked={Boolean(problem)}
        note={problem ?? "Searches LoRA rank, alpha and learning rate; keeps the adapter with the lowest eval loss."}
      />
      {error !== null && <ErrorMessage error={error} title="Fine-tuning could not start" testId="lora-error" />}
    </form>
  );
}
