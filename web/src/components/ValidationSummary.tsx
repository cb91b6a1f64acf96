import type { ValidationMetrics, ValidationReport } from "../api/types";
import { validationFigures } from "../lib/validation";
import { StatusBadge } from "./StatusBadge";

/** A rule's measured value next to its limit: fractions as percentages, scores and counts as they are. */
function ruleValue(value: number, limit: number, rule: string): string {
  if (rule.endsWith("_fraction")) return `${(value * 100).toFixed(1)}% / ${(limit * 100).toFixed(0)}%`;
  const digits = Number.isInteger(value) && Number.isInteger(limit) ? 0 : 3;
  return `${value.toFixed(digits)} / ${Number.isInteger(limit) ? limit : limit.toFixed(3)}`;
}

interface ValidationSummaryProps {
  report: ValidationReport | null | undefined;
  metrics: ValidationMetrics | null | undefined;
}

/** The verdict, the dataset rules that failed (with the server's message), the key numbers and every rule. */
export function ValidationSummary({ report, metrics }: ValidationSummaryProps) {
  const figures = validationFigures(metrics ?? report?.metrics ?? {});
  const failed = (report?.rules ?? []).filter((rule) => !rule.passed);
  return (
    <div data-testid="validation-summary" className="space-y-4">
      {report && (
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <span className="text-slate-600">Verdict</span>
          <StatusBadge status={report.verdict} size="sm" testId="validation-verdict" />
          {report.failing_records !== undefined && (
            <span className="text-slate-500">
              ·{" "}
              {report.failing_records === 1
                ? "1 record fails"
                : `${report.failing_records.toLocaleString()} records fail`}{" "}
              a record rule
            </span>
          )}
        </div>
      )}

      {failed.length > 0 ? (
        <ul data-testid="failed-rules" className="space-y-1.5 rounded-lg border border-red-200 bg-red-50 p-3 text-sm">
          {failed.map((rule) => (
            <li key={rule.rule} data-testid="failed-rule" className="text-red-900">
              <span className="font-mono font-semibold">{rule.rule}</span>: {rule.message}
            </li>
          ))}
        </ul>
      ) : (
        report && (
          <p data-testid="rules-passed" className="text-sm text-emerald-800">
            All {report.rules.length} dataset rules pass.
          </p>
        )
      )}

      {figures.length > 0 && (
        <dl data-testid="validation-metrics" className="grid grid-cols-2 gap-2 text-sm sm:grid-cols-4">
          {figures.map((figure) => (
            <div key={figure.key} className="min-w-0 rounded-lg bg-slate-50 px-3 py-2">
              <dt className="text-xs text-slate-500">{figure.label}</dt>
              <dd data-testid={`metric-${figure.key}`} className="font-medium tabular-nums text-slate-900">
                {figure.value}
              </dd>
            </div>
          ))}
        </dl>
      )}

      {report && report.rules.length > 0 && (
        <details className="group rounded-lg border border-slate-200">
          <summary className="cursor-pointer select-none px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-50">
            All dataset rules ({report.rules.length})
          </summary>
          <div className="overflow-x-auto border-t border-slate-200">
            <table data-testid="rules-table" className="min-w-full text-left text-sm">
              <caption className="sr-only">Dataset rules: measured value against the limit</caption>
              <thead className="text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <th scope="col" className="px-3 py-2 font-medium">
                    Rule
                  </th>
                  <th scope="col" className="px-3 py-2 text-right font-medium">
                    Value / limit
                  </th>
                  <th scope="col" className="px-3 py-2 text-right font-medium">
                    Result
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 tabular-nums">
                {report.rules.map((rule) => (
                  <tr key={rule.rule} title={rule.message}>
                    <td className="px-3 py-2 font-mono text-xs text-slate-800">{rule.rule}</td>
                    <td className="whitespace-nowrap px-3 py-2 text-right text-slate-700">
                      {ruleValue(rule.value, rule.limit, rule.rule)}
                    </td>
                    <td
                      className={`px-3 py-2 text-right font-medium ${rule.passed ? "text-emerald-700" : "text-red-700"}`}
                    >
                      {rule.passed ? "pass" : "fail"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      )}
    </div>
  );
}
