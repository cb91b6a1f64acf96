import type { EvaluationReport as Report } from "../api/types";
import { formatPercent } from "../lib/format";
import { ConfusionMatrix } from "./ConfusionMatrix";
import { MisclassifiedExamples } from "./MisclassifiedExamples";
import { PerClassTable } from "./PerClassTable";

/** The stored model on the evaluation split: headline scores, confusion matrix, per-class scores, mistakes. */
export function EvaluationReport({ report }: { report: Report }) {
  // Beyond a handful of classes the matrix needs the card's whole width.
  const sideBySide = report.labels.length <= 6;
  return (
    <div className="space-y-6">
      <p className="text-sm text-slate-700" data-testid="evaluation-summary">
        Accuracy <span className="font-semibold tabular-nums">{formatPercent(report.accuracy)}</span> · macro-F1{" "}
        <span className="font-semibold tabular-nums">{formatPercent(report.macro_f1)}</span> on{" "}
        {report.per_class.reduce((rows, scores) => rows + scores.support, 0).toLocaleString("en")} evaluation rows
      </p>
      <div className={`grid gap-6 ${sideBySide ? "lg:grid-cols-2" : ""}`}>
        <section className="min-w-0">
          <h3 className="mb-2 text-sm font-medium text-slate-700">Confusion matrix</h3>
          <ConfusionMatrix labels={report.labels} matrix={report.confusion_matrix} />
        </section>
        <section className="min-w-0">
          <h3 className="mb-2 text-sm font-medium text-slate-700">Per class</h3>
          <PerClassTable classes={report.per_class} />
        </section>
      </div>
      <section>
        <h3 className="mb-2 text-sm font-medium text-slate-700">Misclassified examples</h3>
        <MisclassifiedExamples examples={report.examples} />
      </section>
    </div>
  );
}
