import { useId } from "react";

import type { ModelKind } from "../api/types";
import { ROLE_LABELS, mappingProblem, requiredRoles, type ColumnChoice, type ColumnRole } from "../lib/columns";

const ROLE_HINTS: Record<ColumnRole, string> = {
  text_column: "The input the model reads.",
  image_column: "The image of each row.",
  label_column: "The class the model should predict.",
};

interface ColumnMappingProps {
  kind: ModelKind;
  columns: string[];
  value: ColumnChoice;
  onChange: (value: ColumnChoice) => void;
}

/** Selects that tell the trainer which uploaded column plays which role. */
export function ColumnMapping({ kind, columns, value, onChange }: ColumnMappingProps) {
  const baseId = useId();
  const problem = mappingProblem(kind, value);
  return (
    <fieldset data-testid="column-mapping" className="space-y-3">
      <legend className="text-sm font-medium text-slate-900">Columns</legend>
      <div className="grid gap-3 sm:grid-cols-2">
        {requiredRoles(kind).map((role) => {
          const id = `${baseId}-${role}`;
          return (
            <div key={role}>
              <label htmlFor={id} className="block text-sm font-medium text-slate-700">
                {ROLE_LABELS[role]}
              </label>
              <select
                id={id}
                data-testid={`mapping-${role}`}
                value={value[role] ?? ""}
                onChange={(event) => onChange({ ...value, [role]: event.target.value || undefined })}
                className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30"
              >
                <option value="">Choose a column…</option>
                {columns.map((column) => (
                  <option key={column} value={column}>
                    {column}
                  </option>
                ))}
              </select>
              <p className="mt-1 text-xs text-slate-500">{ROLE_HINTS[role]}</p>
            </div>
          );
        })}
      </div>
      {problem && (
        <p data-testid="mapping-problem" className="text-sm text-amber-800">
          {problem}
        </p>
      )}
    </fieldset>
  );
}
