import { useId, useRef } from "react";

import type { RoundState } from "../api/types";
import { useElementWidth } from "../hooks/useElementWidth";
import { lossAxisMax } from "../lib/chart";

/** Drawn at the element's real width (so labels keep their size on a phone), at a fixed height (no jump). */
const DEFAULT_WIDTH = 560;
const HEIGHT = 220;
const MARGIN = { top: 16, right: 48, bottom: 34, left: 44 };
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;
const GRID = [0, 0.25, 0.5, 0.75, 1];

interface Point {
  round: number;
  x: number;
  y: number;
  value: number;
}

interface MetricsChartProps {
  rounds: RoundState[];
  /** The planned number of rounds: the x axis spans them all from the start, so it does not rescale. */
  totalRounds?: number;
  /** The round whose model was stored (`kept_round`), marked by a vertical line. */
  keptRound?: number | null;
}

/**
 * Evaluation accuracy (left axis, 0–100 %) and loss (right axis) per round, plus the validation accuracy when the
 * rounds report one, drawn as inline SVG.
 */
export function MetricsChart({ rounds, totalRounds = 0, keptRound = null }: MetricsChartProps) {
  const titleId = useId();
  const frame = useRef<HTMLDivElement>(null);
  const WIDTH = Math.max(240, useElementWidth(frame, DEFAULT_WIDTH));
  const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
  const evaluated = rounds.filter((round) => round.metrics).sort((a, b) => a.round - b.round);
  const allRounds = rounds.map((round) => round.round);
  const first = Math.min(0, ...allRounds);
  const last = Math.max(totalRounds - 1, ...allRounds);
  const xOf = (round: number) =>
    MARGIN.left + (last === first ? PLOT_W / 2 : ((round - first) / (last - first)) * PLOT_W);

  const losses = evaluated.flatMap((round) => (typeof round.metrics?.loss === "number" ? [round.metrics.loss] : []));
  const lossMax = lossAxisMax(losses);

  const accuracyPoint = (round: number, value: number): Point => ({
    round,
    x: xOf(round),
    y: MARGIN.top + (1 - Math.max(0, Math.min(1, value))) * PLOT_H,
    value,
  });
  const accuracy: Point[] = [];
  const validation: Point[] = [];
  const loss: Point[] = [];
  for (const round of evaluated) {
    const metrics = round.metrics!;
    if (typeof metrics.accuracy === "number") accuracy.push(accuracyPoint(round.round, metrics.accuracy));
    if (typeof metrics.validation?.accuracy === "number") {
      validation.push(accuracyPoint(round.round, metrics.validation.accuracy));
    }
    if (typeof metrics.loss === "number") {
      const value = Math.max(0, metrics.loss) / lossMax;
      loss.push({ round: round.round, x: xOf(round.round), y: MARGIN.top + (1 - value) * PLOT_H, value: metrics.loss });
    }
  }

  const labelEvery = Math.max(1, Math.ceil((last - first + 1) / 10));
  const ticks = Number.isFinite(first) ? range(first, last).filter((round) => (round - first) % labelEvery === 0) : [];
  const readOut = (points: Point[]) => points.map((p) => `round ${p.round + 1}: ${(p.value * 100).toFixed(1)}%`);
  const kept = typeof keptRound === "number" && Number.isFinite(first) ? keptRound : null;
  const summary = [
    accuracy.length ? `Accuracy ${readOut(accuracy).join(", ")}.` : "No evaluated rounds yet.",
    validation.length ? `Validation accuracy ${readOut(validation).join(", ")}.` : "",
    kept !== null ? `Kept round ${kept + 1}.` : "",
  ]
    .filter(Boolean)
    .join(" ");

  return (
    <figure data-testid="metrics-chart" className="w-full">
      <div className="mb-2 flex flex-wrap gap-4 text-xs text-slate-600" aria-hidden="true">
        <span className="flex items-center gap-1.5">
          <span className="h-0.5 w-5 bg-indigo-600" /> Accuracy (left)
        </span>
        {validation.length > 0 && (
          <span className="flex items-center gap-1.5">
            <span className="h-0 w-5 border-t-2 border-dotted border-emerald-600" /> Validation accuracy (left)
          </span>
        )}
        <span className="flex items-center gap-1.5">
          <span className="h-0 w-5 border-t-2 border-dashed border-orange-500" /> Loss (right)
        </span>
      </div>
      <div ref={frame} className="w-full" style={{ height: HEIGHT }}>
        <svg
          width={WIDTH}
          height={HEIGHT}
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          className="block max-w-full"
          role="img"
          aria-labelledby={titleId}
        >
          <title id={titleId}>{`Evaluation accuracy and loss per round. ${summary}`}</title>
          {GRID.map((fraction) => {
            const y = MARGIN.top + (1 - fraction) * PLOT_H;
            return (
              <g key={fraction} className="text-xs">
                <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y} y2={y} stroke="#e2e8f0" />
                <text x={MARGIN.left - 8} y={y} dy="0.32em" textAnchor="end" fill="#4f46e5">
                  {Math.round(fraction * 100)}%
                </text>
                <text x={WIDTH - MARGIN.right + 8} y={y} dy="0.32em" textAnchor="start" fill="#c2410c">
                  {formatTick(fraction * lossMax)}
                </text>
              </g>
            );
          })}
          {ticks.map((round) => (
            <text
              key={round}
              x={xOf(round)}
              y={HEIGHT - MARGIN.bottom + 18}
              textAnchor="middle"
              fill="#64748b"
              className="text-xs"
            >
              {round + 1}
            </text>
          ))}
          <text x={MARGIN.left + PLOT_W / 2} y={HEIGHT - 2} textAnchor="middle" fill="#64748b" className="text-xs">
            round
          </text>
          {kept !== null && (
            <g data-testid="chart-kept-round" data-round={kept}>
              <line
                x1={xOf(kept)}
                x2={xOf(kept)}
                y1={MARGIN.top}
                y2={MARGIN.top + PLOT_H}
                stroke="#64748b"
                strokeDasharray="2 3"
              />
              <text x={xOf(kept)} y={MARGIN.top - 4} textAnchor="middle" fill="#475569" className="text-xs">
                kept
              </text>
              <title>{`Round ${kept + 1}: the stored model`}</title>
            </g>
          )}
          <Series
            points={loss}
            colour="#f97316"
            dashed
            testId="chart-point-loss"
            format={(v) => v.toFixed(3)}
            name="loss"
          />
          <Series
            points={validation}
            colour="#059669"
            dashed="2 4"
            testId="chart-point-validation"
            format={(v) => `${(v * 100).toFixed(1)}%`}
            name="validation accuracy"
          />
          <Series
            points={accuracy}
            colour="#4f46e5"
            testId="chart-point-accuracy"
            format={(v) => `${(v * 100).toFixed(1)}%`}
            name="accuracy"
          />
        </svg>
      </div>
    </figure>
  );
}

interface SeriesProps {
  points: Point[];
  colour: string;
  testId: string;
  name: string;
  format: (value: number) => string;
  /** true for the loss's dashes, or an SVG dash pattern. */
  dashed?: boolean | string;
}

function Series({ points, colour, testId, name, format, dashed = false }: SeriesProps) {
  return (
    <g>
      {points.length > 1 && (
        <polyline
          points={points.map((p) => `${p.x},${p.y}`).join(" ")}
          fill="none"
          stroke={colour}
          strokeWidth={2}
          strokeDasharray={dashed === true ? "6 4" : dashed || undefined}
          strokeLinejoin="round"
        />
      )}
      {points.map((p) => (
        <circle
          key={p.round}
          data-testid={testId}
          data-round={p.round}
          cx={p.x}
          cy={p.y}
          r={4}
          fill="#fff"
          stroke={colour}
          strokeWidth={2}
        >
          <title>{`Round ${p.round + 1} ${name}: ${format(p.value)}`}</title>
        </circle>
      ))}
    </g>
  );
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function formatTick(value: number): string {
  if (value === 0) return "0";
  return value >= 10 ? value.toFixed(0) : value >= 1 ? value.toFixed(1) : value.toFixed(2);
}
