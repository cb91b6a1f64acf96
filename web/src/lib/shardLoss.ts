/** Each shard's local training loss per round, and the shards whose loss stands out from the others'. */
import type { RoundState } from "../api/types";

/** A chart row: the round, and `shard-<i>` → that shard's loss in it. */
export type ShardLossRow = { round: number } & Record<`shard-${number}`, number | undefined>;

export interface ShardLossSeries {
  shards: number[];
  rows: ShardLossRow[];
}

export const shardKey = (shard: number) => `shard-${shard}` as const;

/** The rounds that report shard losses, one row each, and every shard index seen. */
export function shardLossSeries(rounds: RoundState[]): ShardLossSeries {
  const shards = new Set<number>();
  const rows: ShardLossRow[] = [];
  for (const round of [...rounds].sort((a, b) => a.round - b.round)) {
    const losses = (round.shard_losses ?? []).filter((entry) => Number.isFinite(entry.train_loss));
    if (losses.length === 0) continue;
    const row: ShardLossRow = { round: round.round };
    for (const { shard, train_loss } of losses) {
      shards.add(shard);
      row[shardKey(shard)] = train_loss;
    }
    rows.push(row);
  }
  return { shards: [...shards].sort((a, b) => a - b), rows };
}

export interface ShardOutlier {
  shard: number;
  round: number;
  loss: number;
  /** The median loss of the round's other shards. */
  othersMedian: number;
}

/** A shard stands out when its loss is this many times the others' median ... */
export const OUTLIER_RATIO = 1.5;
/** ... and above it by at least this much, so near-zero losses do not raise alarms. */
export const OUTLIER_MIN_GAP = 0.1;

/**
 * The shards whose local loss in the latest round that reports losses is well above the other shards' median: the
 * sign of a shard whose rows differ (mislabelled, duplicated, one class only).
 */
export function outlierShards(rounds: RoundState[]): ShardOutlier[] {
  const latest = [...rounds]
    .sort((a, b) => b.round - a.round)
    .find((round) => (round.shard_losses ?? []).filter((entry) => Number.isFinite(entry.train_loss)).length >= 2);
  if (!latest) return [];
  const losses = (latest.shard_losses ?? []).filter((entry) => Number.isFinite(entry.train_loss));
  return losses.flatMap(({ shard, train_loss }) => {
    const othersMedian = median(losses.filter((entry) => entry.shard !== shard).map((entry) => entry.train_loss));
    const stands = train_loss > othersMedian * OUTLIER_RATIO && train_loss - othersMedian >= OUTLIER_MIN_GAP;
    return stands ? [{ shard, round: latest.round, loss: train_loss, othersMedian }] : [];
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
