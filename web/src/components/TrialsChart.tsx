import { useRef } from "react";
import { CartesianGrid, Scatter, ScatterChart, Tooltip, XAxis, YAxis, ZAxis } from "recharts";

import type { LoraJob } from "../api/types";
import { useElementWidth } from "../hooks/useElementWidth";
import { AXIS_TICK, CHART_HEIGHT, DEFAULT_CHART_WIDTH } from "../lib/chart";
import { formatNumber } from "../lib/format";
import { bestTrialNumber, formatLearningRate, studyDomains, trialPoints, type TrialPoint } from "../lib/lora";

const MARGIN = { top: 12, right: 16, bottom: 16, left: 0 };
const SIZE_RANGE: [number, number] = [40, 360];

/**
 * The search at a glance: each scored trial's learning rate (log axis) against its eval loss, sized by LoRA rank,
 * the best one in green.
 */
export function TrialsChart({ job }: { job: Pick<LoraJob, "trials" | "best_trial"> }) {
  const frame = useRef<HTMLDivElement>(null);
  const width = Math.max(240, useElementWidth(frame, DEFAULT_CHART_WIDTH));
  const best = bestTrialNumber(job);
  const points = trialPoints(job.trials);
  const ranks = points.map((point) => point.rank);
  const bestPoint = points.find((point) => point.number === best);
  const domains = studyDomains(points);

  return (
    <figure data-testid="trials-chart" className="w-full">
      <div className="mb-2 flex flex-wrap gap-4 text-xs text-slate-600" aria-hidden="true">
        <span className="flex items-center gap-1.5">
          <span className="h-2.5 w-2.5 rounded-full bg-indigo-500/70" /> trial (size: rank)
        </span>
        <span className="flex items-center gap-1.5">
          <span className="h-2.5 w-2.5 rounded-full bg-emerald-600" /> best
        </span>
      </div>
      <div
        ref={frame}
        className="w-full"
        style={{ height: CHART_HEIGHT }}
        role="img"
        aria-label={`Eval loss by learning rate for ${points.length} trials.${
          bestPoint
            ? ` Best: trial ${bestPoint.number}, learning rate ${formatLearningRate(bestPoint.learning_rate)}, eval loss ${formatNumber(bestPoint.eval_loss, 4)}.`
            : ""
        }`}
      >
        <ScatterChart width={width} height={CHART_HEIGHT} margin={MARGIN} accessibilityLayer={false}>
          <CartesianGrid stroke="#e2e8f0" />
          <XAxis
            type="number"
            dataKey="learning_rate"
            name="learning rate"
            scale="log"
            domain={domains.learningRate}
            allowDataOverflow
            tickFormatter={formatLearningRate}
            tick={AXIS_TICK}
            label={{ value: "learning rate", position: "insideBottom", offset: -10, fill: "#64748b", fontSize: 12 }}
          />
          <YAxis
            type="number"
            dataKey="eval_loss"
            name="eval loss"
            domain={domains.evalLoss}
            tickFormatter={(value: number) => formatNumber(value, 2)}
            tick={AXIS_TICK}
            width={44}
          />
          <ZAxis
            type="number"
            dataKey="rank"
            name="rank"
            domain={[Math.min(...ranks, 1), Math.max(...ranks, 1)]}
            range={SIZE_RANGE}
          />
          <Tooltip
            cursor={{ strokeDasharray: "3 3" }}
            content={({ active, payload }) => {
              const point = active ? (payload?.[0]?.payload as TrialPoint | undefined) : undefined;
              return point ? <TrialTooltip point={point} best={point.number === best} /> : null;
            }}
          />
          <Scatter
            data={points}
            isAnimationActive={false}
            shape={(props: { cx?: number; cy?: number; size?: number; payload?: TrialPoint }) => {
              const { cx = 0, cy = 0, size = SIZE_RANGE[0], payload } = props;
              const isBest = payload?.number === best;
              return (
                <circle
                  data-testid="trial-point"
                  data-trial-number={payload?.number}
                  data-best={isBest || undefined}
                  cx={cx}
                  cy={cy}
                  r={Math.sqrt(size / Math.PI)}
                  fill={isBest ? "#059669" : "rgb(99 102 241 / 0.55)"}
                  stroke={isBest ? "#065f46" : "#4338ca"}
                  strokeWidth={isBest ? 2 : 1}
                />
              );
            }}
          />
        </ScatterChart>
      </div>
    </figure>
  );
}

function TrialTooltip({ point, best }: { point: TrialPoint; best: boolean }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white px-3 py-2 text-xs shadow-md">
      <p className="font-semibold text-slate-900">
        Trial #{point.number}
        {best ? " · best" : ""}
      </p>
      <p className="tabular-nums text-slate-700">
        rank {point.rank} · alpha {point.lora_alpha ?? "—"} · lr {formatLearningRate(point.learning_rate)}
      </p>
      <p className="tabular-nums text-slate-700">
        eval loss {formatNumber(point.eval_loss, 4)} · {point.state}
      </p>
    </div>
  );
}
