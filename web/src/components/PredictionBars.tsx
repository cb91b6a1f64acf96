import type { Prediction } from "../api/types";
import { formatPercent } from "../lib/format";

/** The top labels of one input, most likely first, each with its probability as a bar. */
export function PredictionBars({ predictions }: { predictions: Prediction[] }) {
  return (
    <ol data-testid="predictions" className="space-y-2" aria-label="Predicted labels, most likely first">
      {predictions.map((prediction, index) => (
        <li key={prediction.label} data-testid="prediction" data-label={prediction.label} data-score={prediction.score}>
          <div className="flex items-baseline justify-between gap-3 text-sm">
            <span
              data-testid="prediction-label"
              className={`min-w-0 truncate ${index === 0 ? "font-semibold text-slate-900" : "text-slate-700"}`}
              title={prediction.label}
            >
              {prediction.label}
            </span>
            <span className="tabular-nums text-slate-600">{formatPercent(prediction.score)}</span>
          </div>
          <div className="mt-1 h-2 rounded-full bg-slate-100" aria-hidden="true">
            <div
              className={`h-2 rounded-full ${index === 0 ? "bg-indigo-600" : "bg-indigo-300"}`}
              style={{ width: `${Math.max(0, Math.min(1, prediction.score)) * 100}%` }}
            />
          </div>
        </li>
      ))}
    </ol>
  );
}
