import type { ReactNode } from "react";

import type { LoraJob, LoraTrial } from "../api/types";
import { formatNumber } from "../lib/format";
import { bestTrialNumber, formatLearningRate, formatSeconds } from "../lib/lora";
import { StatusBadge } from "./StatusBadge";

type TrialsJob = Pick<LoraJob, "trials" | "best_trial" | "status">;

/**
 * One row per search trial, the best one (lowest eval loss) highlighted: a table from the `sm` breakpoint up,
 * one card per trial on a phone, where seven columns do not fit.
 */
export function TrialsTable({ job }: { job: TrialsJob }) {
  const best = bestTrialNumber(job);
  const trials = [...job.trials].sort((a, b) => a.number - b.number);
  const bestLabel = job.status === "done" ? "best" : "best so far";
  return (
    <>
      <ul data-testid="trial-cards" className="space-y-2 sm:hidden">
        {trials.map((trial) => (
          <TrialCard key={trial.number} trial={trial} bestLabel={trial.number === best ? bestLabel : null} />
        ))}
      </ul>
      <div className="hidden overflow-x-auto sm:block">
        <table data-testid="trials-table" className="min-w-full text-left text-sm">
          <caption className="sr-only">LoRA search trials; the best trial is marked</caption>
          <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th scope="col" className="py-2 pl-2 pr-3 font-medium">
                Trial
              </th>
              <th scope="col" className="py-2 pr-3 text-right font-medium">
                Rank
              </th>
              <th scope="col" className="py-2 pr-3 text-right font-medium">
                Alpha
              </th>
              <th scope="col" className="whitespace-nowrap py-2 pr-3 text-right font-medium">
                Learning rate
              </th>
              <th scope="col" className="whitespace-nowrap py-2 pr-3 text-right font-medium">
                Eval loss
              </th>
              <th scope="col" className="py-2 pr-3 font-medium">
                State
              </th>
              <th scope="col" className="py-2 pr-2 text-right font-medium">
                Time
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 tabular-nums">
            {trials.map((trial) => {
              const isBest = trial.number === best;
              return (
                <tr
                  key={trial.number}
                  data-testid="trial-row"
                  data-trial-number={trial.number}
                  data-state={trial.state}
                  data-best={isBest || undefined}
                  className={isBest ? "bg-emerald-50" : undefined}
                >
                  <td className="whitespace-nowrap py-2 pl-2 pr-3 font-medium text-slate-900">
                    #{trial.number}
                    {isBest && <BestTag>{bestLabel}</BestTag>}
                  </td>
                  <td className="py-2 pr-3 text-right">{trial.params.rank ?? "—"}</td>
                  <td className="py-2 pr-3 text-right">{trial.params.lora_alpha ?? "—"}</td>
                  <td className="py-2 pr-3 text-right">{formatLearningRate(trial.params.learning_rate)}</td>
                  <td className={`py-2 pr-3 text-right ${isBest ? "font-semibold text-emerald-900" : ""}`}>
                    {formatNumber(trial.eval_loss, 4)}
                  </td>
                  <td className="py-2 pr-3">
                    <StatusBadge status={trial.state} size="sm" testId="trial-state" />
                    <FailReason trial={trial} />
                  </td>
                  <td className="whitespace-nowrap py-2 pr-2 text-right text-slate-600">
                    {formatSeconds(trial.seconds)}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}

function TrialCard({ trial, bestLabel }: { trial: LoraTrial; bestLabel: string | null }) {
  const figures: [string, string][] = [
    ["Rank", String(trial.params.rank ?? "—")],
    ["Alpha", String(trial.params.lora_alpha ?? "—")],
    ["Learning rate", formatLearningRate(trial.params.learning_rate)],
    ["Eval loss", formatNumber(trial.eval_loss, 4)],
    ["Time", formatSeconds(trial.seconds)],
  ];
  return (
    <li
      data-testid="trial-card"
      data-trial-number={trial.number}
      data-best={bestLabel ? true : undefined}
      className={`rounded-lg border p-3 ${bestLabel ? "border-emerald-300 bg-emerald-50" : "border-slate-200"}`}
    >
      <div className="flex items-center justify-between gap-2">
        <span className="text-sm font-medium text-slate-900">
          Trial #{trial.number}
          {bestLabel && <BestTag>{bestLabel}</BestTag>}
        </span>
        <StatusBadge status={trial.state} size="sm" />
      </div>
      <dl className="mt-2 grid grid-cols-3 gap-x-3 gap-y-1.5 text-xs tabular-nums">
        {figures.map(([label, value]) => (
          <div key={label} className="min-w-0">
            <dt className="text-slate-500">{label}</dt>
            <dd
              className={`font-medium text-slate-900 ${bestLabel && label === "Eval loss" ? "text-emerald-900" : ""}`}
            >
              {value}
            </dd>
          </div>
        ))}
      </dl>
      <FailReason trial={trial} />
    </li>
  );
}

function BestTag({ children }: { children: ReactNode }) {
  return (
    <span
      data-testid="best-trial-tag"
      className="ml-1.5 rounded bg-emerald-600 px-1.5 py-0.5 text-[10px] font-semibold uppercase tracking-wide text-white"
    >
      {children}
    </span>
  );
}

function FailReason({ trial }: { trial: LoraTrial }) {
  if (!trial.fail_reason) return null;
  return (
    <p className="mt-1 max-w-56 truncate text-xs text-red-700" title={trial.fail_reason}>
      {trial.fail_reason}
    </p>
  );
}
