/** The dataset columns a model reads: which roles it needs and whether a choice of columns fills them. */
import type { ModelKind } from "../api/types";

export type ColumnRole = "text_column" | "image_column" | "label_column";
export type ColumnChoice = Partial<Record<ColumnRole, string>>;

export const ROLE_LABELS: Record<ColumnRole, string> = {
  text_column: "Text column",
  image_column: "Image column",
  label_column: "Label column",
};

/** The columns a model of `kind` needs. */
export function requiredRoles(kind: ModelKind): ColumnRole[] {
  return kind === "image" ? ["image_column", "label_column"] : ["text_column", "label_column"];
}

/** Why the chosen columns cannot be used, or null. */
export function mappingProblem(kind: ModelKind, choice: ColumnChoice): string | null {
  const roles = requiredRoles(kind);
  const missing = roles.filter((role) => !choice[role]);
  if (missing.length > 0)
    return `Choose the ${missing.map((role) => ROLE_LABELS[role].toLowerCase()).join(" and the ")}.`;
  const [input, label] = roles.map((role) => choice[role]);
  if (input === label) return "The label column must differ from the input column.";
  return null;
}
