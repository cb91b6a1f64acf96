import type { ReactNode } from "react";
import { Link } from "react-router";

import { errorStatus } from "../lib/errors";
import { ErrorMessage } from "./ErrorMessage";

interface Back {
  to: string;
  label: string;
}

interface DetailHeaderProps {
  back: Back;
  /** Whether the page still refreshes, e.g. "Refreshing every 2 s". */
  note: string;
  noteTestId: string;
  /** The page's `<h1>`. */
  children: ReactNode;
}

/** The top of a detail page: a link back to the list, the title, and whether the page still refreshes. */
export function DetailHeader({ back, note, noteTestId, children }: DetailHeaderProps) {
  return (
    <div className="flex flex-wrap items-end justify-between gap-3">
      <div className="min-w-0">
        <Link to={back.to} className="text-sm font-medium text-indigo-700 hover:underline">
          ← {back.label}
        </Link>
        {children}
      </div>
      <p className="text-xs text-slate-500" data-testid={noteTestId} aria-live="polite">
        {note}
      </p>
    </div>
  );
}

interface DetailFallbackProps {
  /** The last failed load; a 404 means the record does not exist. */
  error: unknown;
  title: string;
  notFoundTitle: string;
  /** Over the error while loading is retried, e.g. "Could not load the job; retrying". */
  retryTitle: string;
  errorTestId: string;
  /** Where to go when the record does not exist. */
  back: Back;
}

/** A detail page before its record arrives: a placeholder while loading (retrying errors), or "not found". */
export function DetailFallback({ error, title, notFoundTitle, retryTitle, errorTestId, back }: DetailFallbackProps) {
  const missing = error && errorStatus(error) === 404;
  return (
    <div className="space-y-4" aria-busy={!missing}>
      <h1 className="text-2xl font-semibold text-slate-900">{missing ? notFoundTitle : title}</h1>
      {error !== null && <ErrorMessage error={error} title={missing ? undefined : retryTitle} testId={errorTestId} />}
      {missing ? (
        <Link to={back.to} className="text-sm font-medium text-indigo-700 underline underline-offset-2">
          {back.label}
        </Link>
      ) : (
        <div className="h-48 animate-pulse rounded-xl bg-slate-200/60" />
      )}
    </div>
  );
}
