import { useRef } from "react";
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";

import type { RoundState } from "../api/types";
import { useElementWidth } from "../hooks/useElementWidth";
import { AXIS_TICK, CHART_HEIGHT, DEFAULT_CHART_WIDTH, formatTick, lossAxisMax, roundTicks } from "../lib/chart";
import { formatNumber } from "../lib/format";
import { outlierShards, shardKey, shardLossSeries, type ShardLossRow } from "../lib/shardLoss";

/** Shard colours; red is kept for a shard that stands out. */
const PALETTE = ["#4f46e5", "#0891b2", "#059669", "#d97706", "#7c3aed", "#0284c7", "#65a30d", "#c026d3", "#475569"];
const OUTLIER = "#dc2626";
const MARGIN = { top: 12, right: 12, bottom: 16, left: 0 };

interface ShardLossChartProps {
  rounds: RoundState[];
  /** The planned number of rounds: the x axis spans them from the start. */
  totalRounds?: number;
}

/** Each shard's local training loss per round, one line per shard; a shard far above the others is drawn red. */
export function ShardLossChart({ rounds, totalRounds = 0 }: ShardLossChartProps) {
  const frame = useRef<HTMLDivElement>(null);
  const width = Math.max(240, useElementWidth(frame, DEFAULT_CHART_WIDTH));
  const { shards, rows } = shardLossSeries(rounds);
  const outliers = outlierShards(rounds);
  const outlying = new Set(outliers.map((outlier) => outlier.shard));
  const last = Math.max(totalRounds - 1, 0, ...rows.map((row) => row.round));
  const lossMax = lossAxisMax(rows.flatMap((row) => shards.map((shard) => row[shardKey(shard)] ?? 0)));
  const colour = (shard: number, index: number) => (outlying.has(shard) ? OUTLIER : PALETTE[index % PALETTE.length]);

  return (
    <figure data-testid="shard-loss-chart" className="w-full">
      <ul className="mb-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600" aria-label="Shards">
        {shards.map((shard, index) => (
          <li
            key={shard}
            data-testid="shard-loss-legend"
            data-shard={shard}
            data-outlier={outlying.has(shard) || undefined}
            className={`flex items-center gap-1.5 ${outlying.has(shard) ? "font-semibold text-red-700" : ""}`}
          >
            <span className="h-0.5 w-5" style={{ backgroundColor: colour(shard, index) }} aria-hidden="true" />
            Shard {shard + 1}
          </li>
        ))}
      </ul>
      <div
        ref={frame}
        className="w-full"
        style={{ height: CHART_HEIGHT }}
        role="img"
        aria-label={`Local training loss per round of each shard. ${readOut(shards, rows)}`}
      >
        <LineChart width={width} height={CHART_HEIGHT} data={rows} margin={MARGIN} accessibilityLayer={false}>
          <CartesianGrid vertical={false} stroke="#e2e8f0" />
          <XAxis
            dataKey="round"
            type="number"
            domain={[0, last]}
            ticks={roundTicks(0, last)}
            tickFormatter={(round: number) => String(round + 1)}
            tick={AXIS_TICK}
            label={{ value: "round", position: "insideBottom", offset: -10, fill: "#64748b", fontSize: 12 }}
            allowDecimals={false}
            padding={{ left: 12, right: 12 }}
          />
          <YAxis domain={[0, lossMax]} tickFormatter={formatTick} tick={AXIS_TICK} width={44} />
          <Tooltip
            labelFormatter={(round) => `Round ${Number(round) + 1}`}
            formatter={(value, name) => [formatNumber(Number(value), 3), name]}
          />
          {shards.map((shard, index) => (
            <Line
              key={shard}
              dataKey={shardKey(shard)}
              name={`shard ${shard + 1}`}
              stroke={colour(shard, index)}
              strokeWidth={outlying.has(shard) ? 3 : 1.5}
              strokeOpacity={outliers.length > 0 && !outlying.has(shard) ? 0.6 : 1}
              connectNulls
              isAnimationActive={false}
              dot={(props: { cx?: number; cy?: number; index: number; payload: ShardLossRow }) => {
                const { cx, cy, payload } = props;
                const loss = payload[shardKey(shard)];
                if (loss === undefined || cx === undefined || cy === undefined) {
                  return <g key={`${shard}-${props.index}`} />;
                }
                return (
                  <circle
                    key={`${shard}-${payload.round}`}
                    data-testid="shard-loss-point"
                    data-shard={shard}
                    data-round={payload.round}
                    cx={cx}
                    cy={cy}
                    r={3}
                    fill="#fff"
                    stroke={colour(shard, index)}
                    strokeWidth={1.5}
                  >
                    <title>{`Round ${payload.round + 1}, shard ${shard + 1}: loss ${formatNumber(loss, 3)}`}</title>
                  </circle>
                );
              }}
            />
          ))}
        </LineChart>
      </div>
      {outliers.map((outlier) => (
        <p key={outlier.shard} data-testid="shard-outlier" className="mt-2 text-sm text-red-800">
          Shard {outlier.shard + 1}'s loss in round {outlier.round + 1} ({formatNumber(outlier.loss, 3)}) is{" "}
          {outlier.othersMedian > 0 ? `${(outlier.loss / outlier.othersMedian).toFixed(1)}×` : "far above"} the other
          shards' median ({formatNumber(outlier.othersMedian, 3)}): its rows may differ from the rest (wrong labels,
          duplicates, one class only).
        </p>
      ))}
    </figure>
  );
}

function readOut(shards: number[], rows: ShardLossRow[]): string {
  const last = rows[rows.length - 1];
  if (!last) return "No shard has reported a loss yet.";
  const losses = shards.flatMap((shard) => {
    const loss = last[shardKey(shard)];
    return loss === undefined ? [] : [`shard ${shard + 1}: ${formatNumber(loss, 3)}`];
  });
  return `Round ${last.round + 1}: ${losses.join(", ")}.`;
}
