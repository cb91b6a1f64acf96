import type { ClassScores } from "../api/types";
import { formatPercent } from "../lib/format";

/** Precision, recall, F1 and support of each class; the weakest F1 is marked so it is found at a glance. */
export function PerClassTable({ classes }: { classes: ClassScores[] }) {
  const weakest = classes.length > 1 ? Math.min(...classes.map((scores) => scores.f1)) : null;
  return (
    <div className="overflow-x-auto">
      <table data-testid="per-class-table" className="min-w-full text-left text-sm">
        <caption className="sr-only">Scores per class on the evaluation split</caption>
        <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th scope="col" className="py-2 pr-3 font-medium">
              Label
            </th>
            <th scope="col" className="py-2 pr-3 text-right font-medium">
              Precision
            </th>
            <th scope="col" className="py-2 pr-3 text-right font-medium">
              Recall
            </th>
            <th scope="col" className="py-2 pr-3 text-right font-medium">
              F1
            </th>
            <th scope="col" className="py-2 text-right font-medium">
              Support
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 tabular-nums">
          {classes.map((scores) => {
            const weak = scores.f1 === weakest;
            return (
              <tr
                key={scores.label}
                data-testid="per-class-row"
                data-label={scores.label}
                data-weakest={weak || undefined}
              >
                <td className="max-w-48 truncate py-1.5 pr-3 font-medium text-slate-900" title={scores.label}>
                  {scores.label}
                </td>
                <td className="py-1.5 pr-3 text-right">{formatPercent(scores.precision)}</td>
                <td className="py-1.5 pr-3 text-right">{formatPercent(scores.recall)}</td>
                <td className={`py-1.5 pr-3 text-right ${weak ? "font-semibold text-rose-700" : ""}`}>
                  {formatPercent(scores.f1)}
                </td>
                <td className="py-1.5 text-right text-slate-600">{scores.support.toLocaleString("en")}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
