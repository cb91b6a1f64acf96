import type { ReactNode } from "react";

interface SubmitRowProps {
  label: string;
  testId: string;
  submitting: boolean;
  /** The form cannot be sent yet (the note says why). */
  blocked: boolean;
  /** Why the form cannot be sent, or what sending it will do. */
  note: ReactNode;
  noteId?: string;
  noteTestId?: string;
}

/** A form's submit button, "Starting…" while its request is in flight, with a note beside it. */
export function SubmitRow({ label, testId, submitting, blocked, note, noteId, noteTestId }: SubmitRowProps) {
  return (
    <div className="flex flex-col gap-3 sm:flex-row sm:items-center">
      <button
        type="submit"
        data-testid={testId}
        disabled={blocked || submitting}
        aria-describedby={noteId}
        className="inline-flex items-center justify-center rounded-lg bg-indigo-600 px-5 py-2.5 text-sm font-semibold text-white shadow-sm transition-colors hover:bg-indigo-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:cursor-not-allowed disabled:bg-slate-300 disabled:text-slate-600"
      >
        {submitting ? "Starting…" : label}
      </button>
      <p id={noteId} data-testid={noteTestId} className="text-sm text-slate-500">
        {note}
      </p>
    </div>
  );
}
