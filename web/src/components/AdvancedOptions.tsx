import { useId } from "react";

import type { TrainRequest } from "../api/types";

export interface AdvancedValues {
  num_shards: string;
  rounds: string;
  epochs: string;
  base_model: string;
}

export const EMPTY_ADVANCED: AdvancedValues = { num_shards: "", rounds: "", epochs: "", base_model: "" };

type AdvancedRequest = Pick<TrainRequest, "num_shards" | "rounds" | "epochs" | "base_model">;

const NUMBER_FIELDS = [
  { key: "num_shards", label: "Shards", hint: "Parts the data is split into; each trains on a worker." },
  { key: "rounds", label: "Rounds", hint: "Times the shard models are averaged and evaluated." },
  { key: "epochs", label: "Epochs per round", hint: "Passes over each shard in a round." },
] as const;

/** The request fields set by the user (empty means the server's default), or why they are invalid. */
export function parseAdvanced(values: AdvancedValues): { request: AdvancedRequest; problem: string | null } {
  const request: AdvancedRequest = {};
  for (const { key, label } of NUMBER_FIELDS) {
    const raw = values[key].trim();
    if (!raw) continue;
    const number = Number(raw);
    if (!Number.isInteger(number) || number < 1) {
      return { request, problem: `${label} must be a whole number of at least 1.` };
    }
    request[key] = number;
  }
  if (values.base_model.trim()) request.base_model = values.base_model.trim();
  return { request, problem: null };
}

interface AdvancedOptionsProps {
  value: AdvancedValues;
  onChange: (value: AdvancedValues) => void;
  defaultSource?: string;
}

/** Folded away: the default path needs none of these. */
export function AdvancedOptions({ value, onChange, defaultSource }: AdvancedOptionsProps) {
  const baseId = useId();
  const { problem } = parseAdvanced(value);
  return (
    <details data-testid="advanced-options" className="group rounded-lg border border-slate-200 bg-white">
      <summary className="flex cursor-pointer select-none items-center gap-2 rounded-lg px-4 py-3 text-sm font-medium text-slate-800 hover:bg-slate-50">
        <svg
          aria-hidden="true"
          viewBox="0 0 20 20"
          className="h-4 w-4 text-slate-500 transition-transform group-open:rotate-90"
          fill="currentColor"
        >
          <path d="M7 5l6 5-6 5V5z" />
        </svg>
        Advanced options
        <span className="font-normal text-slate-500">(optional)</span>
      </summary>
      <div className="space-y-4 border-t border-slate-200 px-4 py-4">
        <p className="text-xs text-slate-500">Leave a field empty to use the server’s default.</p>
        <div className="grid gap-4 sm:grid-cols-3">
          {NUMBER_FIELDS.map(({ key, label, hint }) => (
            <div key={key}>
              <label htmlFor={`${baseId}-${key}`} className="block text-sm font-medium text-slate-700">
                {label}
              </label>
              <input
                id={`${baseId}-${key}`}
                data-testid={`option-${key}`}
                type="number"
                inputMode="numeric"
                min={1}
                step={1}
                placeholder="default"
                value={value[key]}
                onChange={(event) => onChange({ ...value, [key]: event.target.value })}
                className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30"
              />
              <p className="mt-1 text-xs text-slate-500">{hint}</p>
            </div>
          ))}
        </div>
        <div>
          <label htmlFor={`${baseId}-base_model`} className="block text-sm font-medium text-slate-700">
            Base model
          </label>
          <input
            id={`${baseId}-base_model`}
            data-testid="option-base_model"
            type="text"
            placeholder={defaultSource || "the model type’s default"}
            value={value.base_model}
            onChange={(event) => onChange({ ...value, base_model: event.target.value })}
            className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30"
          />
          <p className="mt-1 text-xs text-slate-500">
            Weights to start from instead of the default: a model id or a directory the workers can read.
          </p>
        </div>
        {problem && (
          <p role="alert" data-testid="advanced-problem" className="text-sm text-amber-800">
            {problem}
          </p>
        )}
      </div>
    </details>
  );
}
