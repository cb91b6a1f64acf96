import { useState } from "react";

import { startLora } from "../api/client";
import { useSubmit } from "../hooks/useSubmit";
import { INITIAL_LORA_VALUES, LORA_FIELDS, parseLoraForm, type LoraFormValues } from "../lib/loraForm";
import { ErrorMessage } from "./ErrorMessage";
import { FoldedNumberFields } from "./FoldedNumberFields";
import { InputField } from "./InputField";
import { SubmitRow } from "./SubmitRow";

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
