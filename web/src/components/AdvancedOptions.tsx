import type { TrainRequest } from "../api/types";
import { FoldedSection } from "./FoldedSection";
import { NumberInputs } from "./FoldedNumberFields";
import { InputField } from "./InputField";

export interface AdvancedValues {
  num_shards: string;
  rounds: string;
  epochs: string;
  base_model: string;
}

export const EMPTY_ADVANCED: AdvancedValues = { num_shards: "", rounds: "", epochs: "", base_model: "" };

type AdvancedRequest = Pick<TrainRequest, "num_shards" | "rounds" | "epochs" | "base_model">;

const NUMBER_FIELDS = [
  {
    key: "num_shards",
    label: "Shards",
    hint: "Parts the data is split into; each trains on a worker.",
    integer: true,
    min: 1,
  },
  { key: "rounds", label: "Rounds", hint: "Times the shard models are averaged and evaluated.", integer: true, min: 1 },
  { key: "epochs", label: "Epochs per round", hint: "Passes over each shard in a round.", integer: true, min: 1 },
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
  const { problem } = parseAdvanced(value);
  return (
    <FoldedSection
      title="Advanced options"
      testId="advanced-options"
      problem={problem}
      problemTestId="advanced-problem"
    >
      <NumberInputs
        fields={NUMBER_FIELDS}
        value={value}
        onChange={(numbers) => onChange({ ...value, ...numbers })}
        testIdPrefix="option"
        className="sm:grid-cols-3"
      />
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
