import {
  ADVANCED_FIELDS,
  BUDGET_FIELDS,
  advancedNote,
  parseAdvanced,
  type AdvancedValues,
} from "../lib/advancedOptions";
import { FoldedSection } from "./FoldedSection";
import { NumberInputs } from "./FoldedNumberFields";
import { InputField } from "./InputField";

interface AdvancedOptionsProps {
  value: AdvancedValues;
  onChange: (value: AdvancedValues) => void;
  defaultSource?: string;
}

/** Folded away: the default path needs none of these. */
export function AdvancedOptions({ value, onChange, defaultSource }: AdvancedOptionsProps) {
  const { problem } = parseAdvanced(value);
  const note = advancedNote(value);
  return (
    <FoldedSection
      title="Advanced options"
      testId="advanced-options"
      problem={problem}
      problemTestId="advanced-problem"
    >
      <NumberInputs
        fields={ADVANCED_FIELDS}
        value={value}
        onChange={(numbers) => onChange({ ...value, ...numbers })}
        testIdPrefix="option"
        className="sm:grid-cols-3"
      />
      <fieldset data-testid="auto-budget" className="space-y-2">
        <legend className="text-sm font-medium text-slate-800">Automatic budget</legend>
        <p className="text-xs text-slate-500">
          With rounds on auto, training stops when validation accuracy stops improving or the time budget is spent, and
          keeps the best round’s model.
        </p>
        <NumberInputs
          fields={BUDGET_FIELDS}
          value={value}
          onChange={(numbers) => onChange({ ...value, ...numbers })}
          testIdPrefix="option"
          className="sm:grid-cols-3"
        />
      </fieldset>
      {note && (
        <p data-testid="advanced-note" className="text-xs text-slate-600">
          {note}
        </p>
      )}
      <InputField
        label="Base model"
        hint="Weights to start from instead of the default: a model id or a directory the workers can read."
        mono
        data-testid="option-base_model"
        type="text"
        placeholder={defaultSource || "the model type’s default"}
        value={value.base_model}
        onChange={(event) => onChange({ ...value, base_model: event.target.value })}
      />
    </FoldedSection>
  );
}
