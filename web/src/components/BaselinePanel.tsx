import type { TaskDetail } from "../api/types";
import { baselineSuggestions, beatsBaseline, modelScores, roundList, strongestBaseline } from "../lib/baseline";
import { formatNumber, formatPercent } from "../lib/format";
import { Card } from "./Card";

const KIND_LABEL = { majority: "predicts the most common label", classical: "classical model" } as const;

/**
 * The trained model's held-out accuracy and macro-F1 beside each baseline's, on the same split; once the task is
 * done, a warning with what to try when the model does not beat the strongest baseline. Nothing before the
 * baselines are computed.
 */
export function BaselinePanel({ task }: { task: TaskDetail }) {
  const baselines = task.baseline ?? [];
  if (baselines.length === 0) return null;
  const model = modelScores(task);
  const strongest = strongestBaseline(baselines);
  const finished = task.status === "done";
  const accuracy = model?.metrics.accuracy;
  const beats = finished ? beatsBaseline(accuracy, strongest) : null;
  const modelLabel = !model
    ? "Your model"
    : model.averaged
      ? `Your model (${roundList(model.averaged)}, averaged)`
      : model.kept
        ? `Your model (kept round ${model.round + 1})`
        : `Your model (round ${model.round + 1}${finished ? "" : ", so far"})`;

  return (
    <Card title="Compared with simple baselines" testId="baseline">
      <div className="space-y-4">
        <p className="text-sm text-slate-600">
          Scored on the same held-out rows. A useful model should do clearly better than these.
        </p>
        <div className="overflow-x-auto">
          <table className="min-w-full text-left text-sm">
            <caption className="sr-only">Held-out accuracy and macro F1 of the model and the baselines</caption>
            <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="py-2 pr-3 font-medium">
                  Model
                </th>
                <th scope="col" className="py-2 pr-3 text-right font-medium">
                  Accuracy
                </th>
                <th scope="col" className="py-2 text-right font-medium whitespace-nowrap">
                  Macro F1
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 tabular-nums">
              <tr data-testid="baseline-model" className="font-medium text-slate-900">
                <th scope="row" className="py-2 pr-3 text-left font-medium">
                  {modelLabel} <span className="font-mono font-normal text-slate-500">{task.model_type}</span>
                </th>
                <td data-testid="baseline-model-accuracy" className="py-2 pr-3 text-right">
                  {formatPercent(model?.metrics.accuracy)}
                </td>
                <td data-testid="baseline-model-macro-f1" className="py-2 text-right">
                  {formatNumber(model?.metrics.macro_f1)}
                </td>
              </tr>
              {baselines.map((baseline) => (
                <tr key={`${baseline.kind}:${baseline.name}`} data-testid="baseline-row" data-kind={baseline.kind}>
                  <th scope="row" className="py-2 pr-3 text-left font-normal text-slate-700">
                    {baseline.name} <span className="text-xs text-slate-500">({KIND_LABEL[baseline.kind]})</span>
                  </th>
                  <td className="py-2 pr-3 text-right">{formatPercent(baseline.accuracy)}</td>
                  <td className="py-2 text-right">{formatNumber(baseline.macro_f1)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {beats === false && strongest && (
          <div
            role="alert"
            aria-label="The model does not beat the baseline"
            data-testid="baseline-warning"
            className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-900"
          >
            <p className="font-semibold">Your model does not beat the baseline</p>
            <p className="mt-1">
              Its held-out accuracy ({formatPercent(accuracy)}) is not above {strongest.name} (
              {formatPercent(strongest.accuracy)}), a simple model that needs no training run. To do better:
            </p>
            <ul className="mt-2 list-disc space-y-1 pl-5">
              {baselineSuggestions(task.kind, task.info?.pretrained).map((suggestion) => (
                <li key={suggestion}>{suggestion}</li>
              ))}
            </ul>
          </div>
        )}
        {beats === true && strongest && accuracy !== undefined && (
          <p data-testid="baseline-ok" className="text-sm text-emerald-800">
            Your model beats the strongest baseline ({strongest.name}) by{" "}
            {((accuracy - strongest.accuracy) * 100).toFixed(1)} points of accuracy.
          </p>
        )}
      </div>
    </Card>
  );
}
