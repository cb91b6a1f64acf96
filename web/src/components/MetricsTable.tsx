import type { RoundState } from "../api/types";
import { formatNumber, formatPercent } from "../lib/format";
import { StatusBadge } from "./StatusBadge";

interface MetricsTableProps {
  rounds: RoundState[];
  /** The round whose model was stored, marked "kept". */
  keptRound?: number | null;
}

/**
 * One row per round: its evaluation on the held-out split, its validation accuracy when reported, and how much of
 * the data the shards covered.
 */
export function MetricsTable({ rounds, keptRound = null }: MetricsTableProps) {
  const sorted = [...rounds].sort((a, b) => a.round - b.round);
  const validated = rounds.some((round) => typeof round.metrics?.validation?.accuracy === "number");
  return (
    <div className="overflow-x-auto">
      <table data-testid="metrics-table" className="min-w-full text-left text-sm">
        <caption className="sr-only">Evaluation metrics per round</caption>
        <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th scope="col" className="py-2 pr-3 font-medium">
              Round
            </th>
            <th scope="col" className="hidden py-2 pr-3 font-medium sm:table-cell">
              Status
            </th>
            <th scope="col" className="py-2 pr-3 text-right font-medium">
              Accuracy
            </th>
            {validated && (
              <th scope="col" className="py-2 pr-3 text-right font-medium whitespace-nowrap">
                Validation
              </th>
            )}
            <th scope="col" className="py-2 pr-3 text-right font-medium whitespace-nowrap">
              Macro F1
            </th>
            <th scope="col" className="py-2 pr-3 text-right font-medium">
              Loss
            </th>
            <th scope="col" className="py-2 text-right font-medium">
              Data used
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 tabular-nums">
          {sorted.map((round) => (
            <tr
              key={round.round}
              data-testid="metrics-row"
              data-round={round.round}
              data-kept={round.round === keptRound || undefined}
              className={round.round === keptRound ? "bg-emerald-50/60" : undefined}
            >
              <td className="py-2 pr-3 font-medium whitespace-nowrap text-slate-900">
                {round.round + 1}
                {round.round === keptRound && (
                  <span data-testid="kept-round-badge" className="ml-2 text-xs font-normal text-emerald-800">
                    kept
                  </span>
                )}
              </td>
              <td className="hidden py-2 pr-3 sm:table-cell">
                <StatusBadge status={round.status} size="sm" testId="round-status" />
              </td>
              <td className="py-2 pr-3 text-right">{formatPercent(round.metrics?.accuracy)}</td>
              {validated && (
                <td className="py-2 pr-3 text-right">{formatPercent(round.metrics?.validation?.accuracy)}</td>
              )}
              <td className="py-2 pr-3 text-right">{formatNumber(round.metrics?.macro_f1)}</td>
              <td className="py-2 pr-3 text-right">{formatNumber(round.metrics?.loss)}</td>
              <td className="py-2 text-right">{formatPercent(round.rows_covered, 0)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
