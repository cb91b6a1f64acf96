import { describe, expect, it } from "vitest";

import { makeRounds, withShardLosses } from "../test/fixtures";
import { outlierShards, shardLossSeries } from "./shardLoss";

describe("shardLossSeries", () => {
  it("has a row per round that reports losses and every shard seen", () => {
    const { shards, rows } = shardLossSeries(withShardLosses(makeRounds(3, 2), 3));
    expect(shards).toEqual([0, 1, 2]);
    expect(rows.map((row) => row.round)).toEqual([0, 1]);
    expect(rows[1]["shard-2"]).toBeCloseTo(0.74);
  });

  it("leaves out a shard that did not report in a round", () => {
    const rounds = makeRounds(1).map((round) => ({ ...round, shard_losses: [{ shard: 1, train_loss: 0.4 }] }));
    expect(shardLossSeries(rounds)).toEqual({ shards: [1], rows: [{ round: 0, "shard-1": 0.4 }] });
  });
});

describe("outlierShards", () => {
  it("flags a shard whose latest loss is well above the others' median", () => {
    const rounds = withShardLosses(makeRounds(2), 4, (round, shard) => (shard === 2 ? 1.4 : 0.5 - round * 0.1));
    expect(outlierShards(rounds)).toEqual([{ shard: 2, round: 1, loss: 1.4, othersMedian: 0.4 }]);
  });

  it("flags nobody when the shards agree, or when the gap is tiny", () => {
    expect(outlierShards(withShardLosses(makeRounds(2), 4))).toEqual([]);
    const tiny = withShardLosses(makeRounds(1), 2, (_, shard) => (shard ? 0.05 : 0.01));
    expect(outlierShards(tiny)).toEqual([]);
  });

  it("needs two shards to compare", () => {
    expect(outlierShards(withShardLosses(makeRounds(2), 1))).toEqual([]);
    expect(outlierShards(makeRounds(2))).toEqual([]);
  });
});
