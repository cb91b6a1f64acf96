interface FailureNoticeProps {
  title: string;
  /** The server's reason, shown verbatim. */
  reason: string | null | undefined;
  testId: string;
}

/** Why a job ended in error, as the server recorded it. */
export function FailureNotice({ title, reason, testId }: FailureNoticeProps) {
  return (
    <div
      role="alert"
      data-testid={testId}
      className="rounded-xl border border-red-200 bg-red-50 p-4 text-sm text-red-900"
    >
      <p className="font-semibold">{title}</p>
      <p className="mt-1 whitespace-pre-wrap break-words">{reason || "The server gave no reason."}</p>
    </div>
  );
}
