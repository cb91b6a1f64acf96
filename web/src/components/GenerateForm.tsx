import { useId, useState } from "react";

import { generateDataset } from "../api/client";
import type { Teacher } from "../api/types";
import { useSubmit } from "../hooks/useSubmit";
import {
  GENERATION_FIELDS,
  INITIAL_GENERATE_VALUES,
  parseGenerateForm,
  type GenerateFormValues,
} from "../lib/generateForm";
import { ErrorMessage } from "./ErrorMessage";
import { FoldedNumberFields } from "./FoldedNumberFields";
import { InputField } from "./InputField";
import { SubmitRow } from "./SubmitRow";

const TEACHERS: { value: Teacher; label: string; hint: string }[] = [
  {
    value: "local",
    label: "Bundled model",
    hint: "The server’s own small LLM (SmolLM2-135M on llama.cpp, or LLAMA_MODEL_PATH); private, weak tasks.",
  },
  {
    value: "gguf",
    label: "Local GGUF file",
    hint: "Any GGUF model file on the server (e.g. a 1–8B instruct model), run with llama.cpp.",
  },
  {
    value: "openai",
    label: "OpenAI-compatible endpoint",
    hint: "vLLM, Ollama, llama-server, OpenAI: a URL and model, or the server’s TEACHER_BASE_URL.",
  },
];

interface GenerateFormProps {
  seedDatasetId: string;
  /** Called with the id of the new, GENERATING dataset. */
  onStarted: (datasetId: string) => void;
}

/** Self-instruct generation of a new dataset from this one's seed tasks, with a teacher LLM. */
export function GenerateForm({ seedDatasetId, onStarted }: GenerateFormProps) {
  const baseId = useId();
  const [values, setValues] = useState<GenerateFormValues>(INITIAL_GENERATE_VALUES);
  const { request, problem } = parseGenerateForm(values);
  const { submitting, error, onSubmit } = useSubmit(
    request
      ? async () => {
          const accepted = await generateDataset(seedDatasetId, request);
          onStarted(accepted.dataset_id);
        }
      : null,
  );

  return (
    <form onSubmit={onSubmit} noValidate data-testid="generate-form" className="space-y-4">
      <div className="grid gap-4 sm:grid-cols-[minmax(0,12rem)_minmax(0,1fr)]">
        <InputField
          label="Examples to generate"
          data-testid="generate-num-examples"
          type="number"
          inputMode="numeric"
          min={1}
          step={1}
          required
          value={values.num_examples}
          onChange={(event) => setValues({ ...values, num_examples: event.target.value })}
        />
        <fieldset>
          <legend className="block text-sm font-medium text-slate-700">Teacher</legend>
          <div className="mt-1 grid gap-2 sm:grid-cols-3">
            {TEACHERS.map((teacher) => (
              <label
                key={teacher.value}
                className="flex cursor-pointer gap-2 rounded-md border border-slate-300 px-3 py-2 text-sm has-[:checked]:border-indigo-500 has-[:checked]:bg-indigo-50"
              >
                <input
                  type="radio"
                  name={`${baseId}-teacher`}
                  value={teacher.value}
                  data-testid={`teacher-${teacher.value}`}
                  checked={values.teacher === teacher.value}
                  onChange={() => setValues({ ...values, teacher: teacher.value })}
                  aria-describedby={`${baseId}-teacher-${teacher.value}`}
                  className="mt-0.5 accent-indigo-600"
                />
                <span>
                  <span className="block font-medium text-slate-900">{teacher.label}</span>
                  <span id={`${baseId}-teacher-${teacher.value}`} className="block text-xs text-slate-500">
                    {teacher.hint}
                  </span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
      </div>
      {values.teacher === "gguf" && (
        <InputField
          label="GGUF file on the server"
          data-testid="generate-teacher-model"
          placeholder="/models/llama-3.2-1b-instruct-q4_k_m.gguf"
          value={values.teacher_model}
          onChange={(event) => setValues({ ...values, teacher_model: event.target.value })}
        />
      )}
      {values.teacher === "openai" && (
        <div className="grid gap-4 sm:grid-cols-2">
          <InputField
            label="Endpoint URL (optional)"
            data-testid="generate-teacher-url"
            placeholder="http://gpu-box:8000/v1"
            value={values.teacher_url}
            onChange={(event) => setValues({ ...values, teacher_url: event.target.value })}
          />
          <InputField
            label="Model (optional)"
            data-testid="generate-teacher-model"
            value={values.teacher_model}
            onChange={(event) => setValues({ ...values, teacher_model: event.target.value })}
          />
        </div>
      )}
      <FoldedNumberFields
        fields={GENERATION_FIELDS}
        value={values.params}
        onChange={(params) => setValues({ ...values, params })}
        testIdPrefix="generate"
        title="Generation settings"
      />
      <SubmitRow
        label="Generate"
        testId="generate-button"
        submitting={submitting}
        blocked={Boolean(problem)}
        note={problem ?? "Writes a new instruction dataset; this one stays as it is."}
      />
      {error !== null && <ErrorMessage error={error} title="Generation could not start" testId="generate-error" />}
    </form>
  );
}
