import type { ShardState } from "../api/types";
import { DisclosureIcon } from "./DisclosureIcon";
import { ProgressBar } from "./ProgressBar";
import { StatusBadge } from "./StatusBadge";

interface ShardProgressProps {
  shards: ShardState[];
  currentRound: number;
  totalRounds?: number;
}

const TONE = { queued: "slate", running: "indigo", done: "emerald", failed: "red" } as const;

/** Shards grouped by round, newest round first; finished rounds fold away. */
export function ShardProgress({ shards, currentRound, totalRounds }: ShardProgressProps) {
  const byRound = new Map<number, ShardState[]>();
  for (const shard of shards) byRound.set(shard.round, [...(byRound.get(shard.round) ?? []), shard]);
  const rounds = [...byRound.keys()].sort((a, b) => b - a);

  if (rounds.length === 0) {
    return <p className="text-sm text-slate-500">Shards appear here once the initial model is ready.</p>;
  }

  return (
    <div data-testid="shard-progress" className="space-y-3">
      {rounds.map((round) => {
        const roundShards = byRound.get(round)!.sort((a, b) => a.index - b.index);
        const done = roundShards.filter((shard) => shard.status === "done").length;
        return (
          <details
            key={round}
            open={round === currentRound || undefined}
            data-testid="shard-round"
            data-round={round}
            className="group rounded-lg border border-slate-200"
          >
            <summary className="flex cursor-pointer select-none flex-wrap items-center gap-x-3 gap-y-1 rounded-lg px-3 py-2 text-sm hover:bg-slate-50">
              <DisclosureIcon className="-mr-1" />
              <span className="font-medium text-slate-900">
                Round {round + 1}
                {totalRounds ? ` of ${totalRounds}` : ""}
              </span>
              <span className="text-slate-500">
                {done}/{roundShards.length} shards done
              </span>
            </summary>
            <ul className="grid gap-2 border-t border-slate-200 p-3 sm:grid-cols-2">
              {roundShards.map((shard) => (
                <li
                  key={shard.index}
                  data-testid="shard"
                  data-status={shard.status}
                  className="rounded-md bg-slate-50 p-2.5"
                >
                  <div className="mb-1.5 flex items-center justify-between gap-2 text-sm">
                    <span className="font-medium text-slate-800">
                      Shard {shard.index + 1}
                      <span className="ml-2 font-normal text-slate-500">{shard.rows.toLocaleString()} rows</span>
                    </span>
                    <StatusBadge status={shard.status} size="sm" testId="shard-status" />
                  </div>
                  <ProgressBar
                    value={shard.progress}
                    label={`Round ${round + 1}, shard ${shard.index + 1}`}
                    size="sm"
                    tone={TONE[shard.status] ?? "indigo"}
                  />
                  {shard.worker && (
                    <p className="mt-1 truncate text-xs text-slate-500" title={shard.worker}>
                      on {shard.worker}
                    </p>
                  )}
                  {shard.error && <p className="mt-1 break-words text-xs text-red-700">{shard.error}</p>}
                </li>
              ))}
            </ul>
          </details>
        );
      })}
    </div>
  );
}
