import type { MisclassifiedExample } from "../api/types";
import { isImageDataUrl } from "../lib/evaluation";
import { formatPercent } from "../lib/format";

/** Evaluation rows the model got wrong: the text (or the image), its true label and what the model said. */
export function MisclassifiedExamples({ examples }: { examples: MisclassifiedExample[] }) {
  if (examples.length === 0) {
    return (
      <p data-testid="no-misclassified" className="text-sm text-slate-500">
        The model got every evaluation row right.
      </p>
    );
  }
  return (
    <ul data-testid="misclassified-examples" className="grid gap-2 sm:grid-cols-2">
      {examples.map((example, index) => (
        <li
          key={index}
          data-testid="misclassified-example"
          className="flex min-w-0 items-start gap-3 rounded-lg border border-slate-200 p-3"
        >
          {isImageDataUrl(example.input) ? (
            <img
              src={example.input}
              alt={`Evaluation image labelled ${example.label}`}
              data-testid="misclassified-image"
              className="h-14 w-14 shrink-0 rounded border border-slate-200 object-contain [image-rendering:pixelated]"
            />
          ) : (
            <p
              data-testid="misclassified-text"
              className="line-clamp-3 min-w-0 flex-1 break-words text-sm text-slate-800"
              title={example.input}
            >
              “{example.input}”
            </p>
          )}
          <dl className="ml-auto shrink-0 text-right text-xs">
            <dt className="sr-only">True label</dt>
            <dd className="font-medium text-slate-900">
              <span className="text-slate-500">true </span>
              {example.label}
            </dd>
            <dt className="sr-only">Predicted</dt>
            <dd className="text-rose-700">
              <span className="text-slate-500">predicted </span>
              {example.predicted} ({formatPercent(example.score, 0)})
            </dd>
          </dl>
        </li>
      ))}
    </ul>
  );
}
