import { parseNumberFields, type NumberField, type NumberValues } from "../lib/numberFields";
import { FoldedSection } from "./FoldedSection";
import { InputField } from "./InputField";

interface NumberInputsProps<K extends string> {
  fields: readonly NumberField<K>[];
  value: NumberValues<K>;
  onChange: (value: NumberValues<K>) => void;
  /** Prefix of each input's data-testid: `${testIdPrefix}-${key}`. */
  testIdPrefix: string;
  /** The grid's columns. */
  className: string;
}

/** One number input per field (a text box for one that also takes "auto"), empty meaning the server's default. */
export function NumberInputs<K extends string>({
  fields,
  value,
  onChange,
  testIdPrefix,
  className,
}: NumberInputsProps<K>) {
  return (
    <div className={`grid gap-4 ${className}`}>
      {fields.map((field) => (
        <InputField
          key={field.key}
          label={field.label}
          hint={field.hint}
          data-testid={`${testIdPrefix}-${field.key}`}
          // A field that also takes "auto" needs a text box: a number input drops a word.
          type={field.auto ? "text" : "number"}
          inputMode={field.integer ? "numeric" : "decimal"}
          min={field.auto ? undefined : field.min}
          max={field.auto ? undefined : field.max}
          step={field.auto ? undefined : field.integer ? 1 : "any"}
          placeholder={field.placeholder ?? "default"}
          value={value[field.key]}
          onChange={(event) => onChange({ ...value, [field.key]: event.target.value })}
        />
      ))}
    </div>
  );
}

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
  const { problem } = parseNumberFields(fields, value);
  return (
    <FoldedSection
      title={title}
      testId={`${testIdPrefix}-advanced`}
      problem={problem}
      problemTestId={`${testIdPrefix}-problem`}
    >
      <NumberInputs
        fields={fields}
        value={value}
        onChange={onChange}
        testIdPrefix={testIdPrefix}
        className="sm:grid-cols-2 lg:grid-cols-3"
      />
    </FoldedSection>
  );
}
