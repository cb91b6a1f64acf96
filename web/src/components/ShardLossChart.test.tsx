import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { makeRounds, withShardLosses } from "../test/fixtures";
import { ShardLossChart } from "./ShardLossChart";

describe("ShardLossChart", () => {
  it("draws a line per shard with a point per round it reported", () => {
    render(<ShardLossChart rounds={withShardLosses(makeRounds(3, 2), 3)} totalRounds={3} />);
    const points = screen.getAllByTestId("shard-loss-point");
    expect(points).toHaveLength(6);
    expect(points.filter((point) => point.getAttribute("data-shard") === "2").map((p) => p.dataset.round)).toEqual([
      "0",
      "1",
    ]);
    expect(screen.getAllByTestId("shard-loss-legend").map((item) => item.textContent)).toEqual([
      "Shard 1",
      "Shard 2",
      "Shard 3",
    ]);
    expect(screen.getByRole("img")).toHaveAccessibleName(/Round 2: shard 1: 0\.700, shard 2: 0\.720, shard 3: 0\.740/);
  });

  it("places a higher loss higher on the chart", () => {
    render(<ShardLossChart rounds={withShardLosses(makeRounds(1), 2, (_, shard) => (shard ? 0.9 : 0.3))} />);
    const [low, high] = screen.getAllByTestId("shard-loss-point");
    expect(Number(high.getAttribute("cy"))).toBeLessThan(Number(low.getAttribute("cy")));
  });

  it("makes a shard whose loss is far above the others stand out, and says what to check", () => {
    const rounds = withShardLosses(makeRounds(3), 4, (round, shard) => (shard === 1 ? 1.2 : 0.6 - round * 0.1));
    render(<ShardLossChart rounds={rounds} />);
    const flagged = screen.getAllByTestId("shard-loss-legend").filter((item) => item.dataset.outlier);
    expect(flagged.map((item) => item.dataset.shard)).toEqual(["1"]);
    expect(screen.getByTestId("shard-outlier")).toHaveTextContent(
      "Shard 2's loss in round 3 (1.200) is 3.0× the other shards' median (0.400)",
    );
  });

  it("flags nothing when the shards agree", () => {
    render(<ShardLossChart rounds={withShardLosses(makeRounds(3), 4)} />);
    expect(screen.queryByTestId("shard-outlier")).not.toBeInTheDocument();
  });
});
