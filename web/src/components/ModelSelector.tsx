import type { ModelType } from "../api/types";

interface ModelSelectorProps {
  models: ModelType[];
  value: string | null;
  onChange: (modelType: string) => void;
}

/** Radio cards: one per model type, with its kind and whether pretrained weights are available. */
export function ModelSelector({ models, value, onChange }: ModelSelectorProps) {
  return (
    <fieldset data-testid="model-selector">
      <legend className="sr-only">Model</legend>
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
        {models.map((model) => {
          const checked = model.model_type === value;
          return (
            <label
              key={model.model_type}
              data-testid={`model-option-${model.model_type}`}
              className={`relative flex cursor-pointer flex-col gap-2 rounded-lg border p-3 transition-colors has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-offset-2 has-[:focus-visible]:outline-indigo-600 ${
                checked
                  ? "border-indigo-600 bg-indigo-50 ring-1 ring-indigo-600"
                  : "border-slate-200 bg-white hover:border-slate-300"
              }`}
            >
              <span className="flex items-center gap-2">
                <input
                  type="radio"
                  name="model_type"
                  value={model.model_type}
                  checked={checked}
                  onChange={() => onChange(model.model_type)}
                  className="h-4 w-4 accent-indigo-600"
                />
                <span className="font-mono text-sm font-semibold text-slate-900">{model.model_type}</span>
                <span className="ml-auto rounded bg-slate-100 px-1.5 py-0.5 text-xs font-medium text-slate-700">
                  {model.kind}
                </span>
              </span>
              {model.description && <span className="text-sm text-slate-600">{model.description}</span>}
              <span
                className={`text-xs font-medium ${model.pretrained_available ? "text-emerald-700" : "text-amber-700"}`}
                data-testid="pretrained-note"
              >
                {model.pretrained_available
                  ? "✓ Pretrained weights available"
                  : "No pretrained weights here: starts from scratch"}
              </span>
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}
