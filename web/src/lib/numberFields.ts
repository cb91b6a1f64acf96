/** Optional numeric form fields that become request overrides: empty means the server's default. */

export interface NumberField<K extends string = string> {
  key: K;
  label: string;
  hint: string;
  /** Whole numbers only. */
  integer?: boolean;
  min?: number;
  /** `min` itself is not allowed (e.g. a fraction that must be above 0). */
  minExclusive?: boolean;
  max?: number;
  /** Also takes the word "auto" (the server decides); the input is then a text box. */
  auto?: boolean;
  /** Shown in the empty input; "default" unless set. */
  placeholder?: string;
}

export const AUTO = "auto";

export type NumberValues<K extends string = string> = Record<K, string>;

export function emptyValues<K extends string>(fields: readonly NumberField<K>[]): NumberValues<K> {
  return Object.fromEntries(fields.map((field) => [field.key, ""])) as NumberValues<K>;
}

/** Why `number` is not a value of `field`, or null. */
function fieldProblem(field: NumberField, number: number): string | null {
  const { label, integer, min, max, minExclusive } = field;
  const kind = integer ? "a whole number" : "a number";
  if (!Number.isFinite(number) || (integer && !Number.isInteger(number))) return `${label} must be ${kind}.`;
  if (min !== undefined && (minExclusive ? number <= min : number < min)) {
    return `${label} must be ${kind} ${minExclusive ? "above" : "of at least"} ${min}.`;
  }
  if (max !== undefined && number > max) return `${label} must be at most ${max}.`;
  return null;
}

/** The fields set by the user as numbers, or the first reason one of them is invalid. */
export function parseNumberFields<K extends string>(
  fields: readonly NumberField<K>[],
  values: NumberValues<K>,
): { values: Partial<Record<K, number>>; problem: string | null } {
  const parsed: Partial<Record<K, number>> = {};
  for (const field of fields) {
    const raw = (values[field.key] ?? "").trim();
    if (!raw) continue;
    const number = Number(raw);
    const problem = fieldProblem(field, number);
    if (problem) return { values: parsed, problem };
    parsed[field.key] = number;
  }
  return { values: parsed, problem: null };
}

/**
 * One field that takes "auto" (any case) or a number: undefined when empty (the server's default), or the reason
 * `raw` is neither.
 */
export function parseNumberOrAuto(
  field: NumberField,
  raw: string,
): { value: number | typeof AUTO | undefined; problem: string | null } {
  const text = raw.trim();
  if (!text) return { value: undefined, problem: null };
  if (text.toLowerCase() === AUTO) return { value: AUTO, problem: null };
  const number = Number(text);
  if (fieldProblem(field, number) === null) return { value: number, problem: null };
  const { label, integer, min, minExclusive } = field;
  const kind = integer ? "a whole number" : "a number";
  const bound = min === undefined ? "" : ` ${minExclusive ? "above" : "of at least"} ${min}`;
  const upper = field.max === undefined ? "" : ` (at most ${field.max})`;
  return { value: undefined, problem: `${label} must be "auto" or ${kind}${bound}${upper}.` };
}
