import { useRef } from "react";
import { CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from "recharts";

import type { RoundState } from "../api/types";
import { useElementWidth } from "../hooks/useElementWidth";
import { AXIS_TICK, CHART_HEIGHT, DEFAULT_CHART_WIDTH, formatTick, lossAxisMax, roundTicks } from "../lib/chart";

const MARGIN = { top: 20, right: 8, bottom: 16, left: 0 };
const GRID = [0, 0.25, 0.5, 0.75, 1];
const COLOURS = { accuracy: "#4f46e5", validation: "#059669", loss: "#f97316" };

interface MetricsChartProps {
  rounds: RoundState[];
  /** The planned number of rounds: the x axis spans them all from the start, so it does not rescale. */
  totalRounds?: number;
  /** The round whose model was stored (`kept_round`), marked by a vertical line. */
  keptRound?: number | null;
}

/** One point of the chart: a round's scores, absent where the round did not report them. */
interface RoundPoint {
  round: number;
  accuracy?: number;
  validation?: number;
  loss?: number;
}

type Series = "accuracy" | "validation" | "loss";

/**
 * Evaluation accuracy (left axis, 0–100 %) and loss (right axis) per round, plus the validation accuracy when the
 * rounds report one. Drawn at the element's real width (so labels keep their size on a phone), at a fixed height.
 */
export function MetricsChart({ rounds, totalRounds = 0, keptRound = null }: MetricsChartProps) {
  const frame = useRef<HTMLDivElement>(null);
  const width = Math.max(240, useElementWidth(frame, DEFAULT_CHART_WIDTH));
  const points: RoundPoint[] = rounds
    .filter((round) => round.metrics)
    .sort((a, b) => a.round - b.round)
    .map(({ round, metrics }) => ({
      round,
      accuracy: finite(metrics?.accuracy),
      validation: finite(metrics?.validation?.accuracy),
      loss: finite(metrics?.loss),
    }));
  const allRounds = rounds.map((round) => round.round);
  const first = Math.min(0, ...allRounds);
  const last = Math.max(totalRounds - 1, first, ...allRounds);
  const lossMax = lossAxisMax(points.flatMap((point) => (point.loss === undefined ? [] : [point.loss])));
  const hasValidation = points.some((point) => point.validation !== undefined);
  const kept = typeof keptRound === "number" ? keptRound : null;

  return (
    <figure data-testid="metrics-chart" className="w-full">
      <div className="mb-2 flex flex-wrap gap-4 text-xs text-slate-600" aria-hidden="true">
        <span className="flex items-center gap-1.5">
          <span className="h-0.5 w-5 bg-indigo-600" /> Accuracy (left)
        </span>
        {hasValidation && (
          <span className="flex items-center gap-1.5">
            <span className="h-0 w-5 border-t-2 border-dotted border-emerald-600" /> Validation accuracy (left)
          </span>
        )}
        <span className="flex items-center gap-1.5">
          <span className="h-0 w-5 border-t-2 border-dashed border-orange-500" /> Loss (right)
        </span>
      </div>
      <div
        ref={frame}
        className="w-full"
        style={{ height: CHART_HEIGHT }}
        role="img"
        aria-label={`Evaluation accuracy and loss per round. ${summary(points, kept)}`}
      >
        <LineChart width={width} height={CHART_HEIGHT} data={points} margin={MARGIN} accessibilityLayer={false}>
          <CartesianGrid vertical={false} stroke="#e2e8f0" />
          <XAxis
            dataKey="round"
            type="number"
            domain={[first, last]}
            ticks={roundTicks(first, last)}
            tickFormatter={(round: number) => String(round + 1)}
            tick={AXIS_TICK}
            label={{ value: "round", position: "insideBottom", offset: -10, fill: "#64748b", fontSize: 12 }}
            allowDecimals={false}
            padding={{ left: 12, right: 12 }}
          />
          <YAxis
            yAxisId="accuracy"
            domain={[0, 1]}
            ticks={GRID}
            tickFormatter={(value: number) => `${Math.round(value * 100)}%`}
            tick={{ ...AXIS_TICK, fill: COLOURS.accuracy }}
            width={44}
          />
          <YAxis
            yAxisId="loss"
            orientation="right"
            domain={[0, lossMax]}
            ticks={GRID.map((fraction) => fraction * lossMax)}
            tickFormatter={formatTick}
            tick={{ ...AXIS_TICK, fill: "#c2410c" }}
            width={44}
          />
          <Tooltip
            labelFormatter={(round) => `Round ${Number(round) + 1}`}
            formatter={(value, name) => [name === "loss" ? Number(value).toFixed(3) : pct(Number(value)), name]}
          />
          {kept !== null && (
            <ReferenceLine x={kept} yAxisId="accuracy" ifOverflow="extendDomain" shape={keptMarker(kept)} />
          )}
          {seriesLine("loss", "loss", "6 4")}
          {hasValidation && seriesLine("validation", "accuracy", "2 4")}
          {seriesLine("accuracy", "accuracy")}
        </LineChart>
      </div>
    </figure>
  );
}

const SERIES_NAMES: Record<Series, string> = {
  accuracy: "accuracy",
  validation: "validation accuracy",
  loss: "loss",
};

/** A line with a marked point per round (`chart-point-<series>`), named for the tooltip and the point titles. */
function seriesLine(series: Series, axis: "accuracy" | "loss", dashes?: string) {
  const format = series === "loss" ? (value: number) => value.toFixed(3) : pct;
  return (
    <Line
      yAxisId={axis}
      dataKey={series}
      name={SERIES_NAMES[series]}
      stroke={COLOURS[series]}
      strokeWidth={2}
      strokeDasharray={dashes}
      connectNulls
      isAnimationActive={false}
      dot={(props: DotProps) => {
        const { cx, cy, payload } = props;
        const value = payload[series];
        if (value === undefined || cx === undefined || cy === undefined) return <g key={`${series}-${props.index}`} />;
        return (
          <circle
            key={`${series}-${payload.round}`}
            data-testid={`chart-point-${series}`}
            data-round={payload.round}
            cx={cx}
            cy={cy}
            r={4}
            fill="#fff"
            stroke={COLOURS[series]}
            strokeWidth={2}
          >
            <title>{`Round ${payload.round + 1} ${SERIES_NAMES[series]}: ${format(value)}`}</title>
          </circle>
        );
      }}
    />
  );
}

interface DotProps {
  cx?: number;
  cy?: number;
  index: number;
  payload: RoundPoint;
}

interface LineShapeProps {
  x1?: number;
  x2?: number;
  y1?: number;
  y2?: number;
}

/** The kept round's vertical line with a "kept" caption above the plot. */
function keptMarker(kept: number) {
  function KeptMarker({ x1 = 0, x2 = 0, y1 = 0, y2 = 0 }: LineShapeProps) {
    return (
      <g data-testid="chart-kept-round" data-round={kept}>
        <line x1={x1} x2={x2} y1={y1} y2={y2} stroke="#64748b" strokeDasharray="2 3" />
        <text x={x1} y={Math.min(y1, y2) - 4} textAnchor="middle" fill="#475569" fontSize={12}>
          kept
        </text>
        <title>{`Round ${kept + 1}: the stored model`}</title>
      </g>
    );
  }
  return KeptMarker;
}

function summary(points: RoundPoint[], kept: number | null): string {
  const readOut = (series: "accuracy" | "validation") =>
    points.flatMap((point) => {
      const value = point[series];
      return value === undefined ? [] : [`round ${point.round + 1}: ${pct(value)}`];
    });
  const accuracy = readOut("accuracy");
  const validation = readOut("validation");
  return [
    accuracy.length ? `Accuracy ${accuracy.join(", ")}.` : "No evaluated rounds yet.",
    validation.length ? `Validation accuracy ${validation.join(", ")}.` : "",
    kept !== null ? `Kept round ${kept + 1}.` : "",
  ]
    .filter(Boolean)
    .join(" ");
}

function pct(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

function finite(value: number | undefined): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}
