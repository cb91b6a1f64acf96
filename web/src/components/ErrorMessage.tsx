import { describeError } from "../lib/errors";

interface ErrorMessageProps {
  error: unknown;
  title?: string;
  testId?: string;
}

/** Shows a failed request's message verbatim; a FastAPI validation list becomes one line per field. */
export function ErrorMessage({ error, title, testId = "error-message" }: ErrorMessageProps) {
  const report = describeError(error);
  return (
    <div
      role="alert"
      data-testid={testId}
      className="rounded-lg border border-red-200 bg-red-50 p-3 text-sm text-red-900"
    >
      {title && <p className="mb-1 font-semibold">{title}</p>}
      {report.kind === "text" ? (
        <p className="whitespace-pre-wrap break-words">{report.text}</p>
      ) : (
        <ul className="list-disc space-y-0.5 pl-5">
          {report.items.map((item, i) => (
            <li key={i} className="break-words">
              {item}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
