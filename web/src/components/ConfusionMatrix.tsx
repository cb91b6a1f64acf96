import { cellShade } from "../lib/evaluation";
import { formatPercent } from "../lib/format";

interface ConfusionMatrixProps {
  labels: string[];
  /** Rows are true labels, columns predicted labels, in the order of `labels`. */
  matrix: number[][];
}

/** Up to this many classes the column labels read across; more are turned on their side to fit. */
const HORIZONTAL_LABELS = 6;

/**
 * The confusion matrix as a heat map: one row per true label, one column per predicted label, each cell shaded by
 * the share of its row (see `cellShade`), with its count. A table, so a screen reader can walk it by headers.
 */
export function ConfusionMatrix({ labels, matrix }: ConfusionMatrixProps) {
  const sideways = labels.length > HORIZONTAL_LABELS;
  const dense = labels.length > 12;
  return (
    <figure className="min-w-0">
      <div className="overflow-x-auto">
        <table data-testid="confusion-matrix" className="border-separate border-spacing-0.5 text-xs">
          <caption className="sr-only">
            Confusion matrix: a row per true label, a column per predicted label; cells count evaluation rows
          </caption>
          <thead>
            <tr>
              <th scope="col" className="p-1 text-right align-bottom text-[11px] font-normal text-slate-500">
                true ↓ · predicted →
              </th>
              {labels.map((label) => (
                <th
                  key={label}
                  scope="col"
                  title={label}
                  data-testid="confusion-column"
                  className="p-1 align-bottom font-medium text-slate-700"
                >
                  <span
                    className={`block truncate ${
                      sideways ? "max-h-28 [writing-mode:vertical-rl] rotate-180" : "max-w-24 text-center"
                    }`}
                  >
                    {label}
                  </span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {labels.map((label, row) => {
              const counts = matrix[row] ?? [];
              const total = counts.reduce((sum, count) => sum + count, 0);
              return (
                <tr key={label}>
                  <th
                    scope="row"
                    title={label}
                    className="max-w-40 truncate p-1 pr-2 text-right font-medium text-slate-700"
                  >
                    {label}
                  </th>
                  {labels.map((predicted, column) => {
                    const count = counts[column] ?? 0;
                    const shade = cellShade(count, total, row === column);
                    return (
                      <td
                        key={predicted}
                        data-testid="confusion-cell"
                        data-true={label}
                        data-predicted={predicted}
                        data-count={count}
                        title={`true ${label}, predicted ${predicted}: ${count} (${formatPercent(total ? count / total : 0)} of ${label})`}
                        className={`rounded text-center tabular-nums ${dense ? "h-7 min-w-7 text-[10px]" : "h-9 min-w-9 px-1"}`}
                        style={shade}
                      >
                        {count}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <figcaption className="mt-2 text-xs text-slate-500">
        Shaded by the share of each true label: indigo where the model is right, rose where it confuses two labels.
      </figcaption>
    </figure>
  );
}
