/** A dataset's validation numbers for display. */
import type { ValidationMetrics } from "../api/types";
import { formatNumber } from "./format";

export interface Figure {
  key: string;
  label: string;
  value: string;
}

const count = (value: unknown) => (typeof value === "number" ? value.toLocaleString() : "—");
const score = (value: unknown, digits: number) => formatNumber(typeof value === "number" ? value : null, digits);

/** The validation numbers worth a glance, as the API reports them; absent ones (no seed references) are left out. */
export function validationFigures(metrics: ValidationMetrics): Figure[] {
  const failures = metrics.failures_by_rule ?? {};
  const figures: (Figure | null)[] = [
    { key: "records", label: "Records", value: count(metrics.records) },
    { key: "valid_records", label: "Pass every rule", value: count(metrics.valid_records) },
    { key: "invalid_records", label: "Invalid", value: count(metrics.invalid_records) },
    { key: "json_output", label: "Invalid JSON outputs", value: count(failures.json_output) },
    { key: "exact_duplicates", label: "Exact duplicates", value: count(metrics.exact_duplicates) },
    { key: "near_duplicates", label: "Near duplicates", value: count(metrics.near_duplicates) },
    { key: "mean_nearest_rouge_l", label: "Mean nearest ROUGE-L", value: score(metrics.mean_nearest_rouge_l, 3) },
    { key: "mean_self_bleu", label: "Mean self-BLEU", value: score(metrics.mean_self_bleu, 1) },
    metrics.reference_copies !== undefined
      ? { key: "reference_copies", label: "Copies of seed tasks", value: count(metrics.reference_copies) }
      : null,
    metrics.mean_reference_rouge_l !== undefined
      ? { key: "mean_reference_rouge_l", label: "ROUGE-L with seeds", value: score(metrics.mean_reference_rouge_l, 3) }
      : null,
    metrics.mean_reference_bleu !== undefined
      ? { key: "mean_reference_bleu", label: "BLEU with seeds", value: score(metrics.mean_reference_bleu, 1) }
      : null,
  ];
  return figures.filter((figure): figure is Figure => figure !== null);
}
