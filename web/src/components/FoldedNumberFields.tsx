import { useId } from "react";

import { parseNumberFields, type NumberField, type NumberValues } from "../lib/numberFields";

interface FoldedNumberFieldsProps<K extends string> {
  fields: readonly NumberField<K>[];
  value: NumberValues<K>;
  onChange: (value: NumberValues<K>) => void;
  /** Prefix of each input's data-testid: `${testIdPrefix}-${key}`. */
  testIdPrefix: string;
  title?: string;
}

/** Optional numeric overrides folded away under "Advanced options": the default path needs none of them. */
export function FoldedNumberFields<K extends string>({
  fields,
  value,
  onChange,
  testIdPrefix,
  title = "Advanced options",
}: FoldedNumberFieldsProps<K>) {
  const baseId = useId();
  const { problem } = parseNumberFields(fields, value);
  return (
    <details data-testid={`${testIdPrefix}-advanced`} className="group rounded-lg border border-slate-200 bg-white">
      <summary className="flex cursor-pointer select-none items-center gap-2 rounded-lg px-4 py-3 text-sm font-medium text-slate-800 hover:bg-slate-50">
        <svg
          aria-hidden="true"
          viewBox="0 0 20 20"
          className="h-4 w-4 text-slate-500 transition-transform group-open:rotate-90"
          fill="currentColor"
        >
          <path d="M7 5l6 5-6 5V5z" />
        </svg>
        {title}
        <span className="font-normal text-slate-500">(optional)</span>
      </summary>
      <div className="space-y-4 border-t border-slate-200 px-4 py-4">
        <p className="text-xs text-slate-500">Leave a field empty to use the server’s default.</p>
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {fields.map((field) => (
            <div key={field.key}>
              <label htmlFor={`${baseId}-${field.key}`} className="block text-sm font-medium text-slate-700">
                {field.label}
              </label>
              <input
                id={`${baseId}-${field.key}`}
                data-testid={`${testIdPrefix}-${field.key}`}
                type="number"
                inputMode={field.integer ? "numeric" : "decimal"}
                min={field.min}
                max={field.max}
                step={field.integer ? 1 : "any"}
                placeholder="default"
                value={value[field.key]}
                onChange={(event) => onChange({ ...value, [field.key]: event.target.value })}
                className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30"
              />
              <p className="mt-1 text-xs text-slate-500">{field.hint}</p>
            </div>
          ))}
        </div>
        {problem && (
          <p role="alert" data-testid={`${testIdPrefix}-problem`} className="text-sm text-amber-800">
            {problem}
          </p>
        )}
      </div>
    </details>
  );
}
