/** Colour-coded status of a task (pending/queued/running/done/error) or a shard (…/failed). */

export const STATUS_STYLES: Record<string, string> = {
  pending: "bg-slate-100 text-slate-700 ring-slate-300",
  queued: "bg-amber-100 text-amber-900 ring-amber-300",
  running: "bg-blue-100 text-blue-800 ring-blue-300",
  done: "bg-emerald-100 text-emerald-800 ring-emerald-300",
  error: "bg-red-100 text-red-800 ring-red-300",
  failed: "bg-red-100 text-red-800 ring-red-300",
};

const DOT_STYLES: Record<string, string> = {
  pending: "bg-slate-400",
  queued: "bg-amber-500",
  running: "bg-blue-500 animate-pulse",
  done: "bg-emerald-500",
  error: "bg-red-500",
  failed: "bg-red-500",
};

interface StatusBadgeProps {
  status: string;
  testId?: string;
  size?: "sm" | "md";
}

export function StatusBadge({ status, testId = "status-badge", size = "md" }: StatusBadgeProps) {
  const colours = STATUS_STYLES[status] ?? STATUS_STYLES.pending;
  const dot = DOT_STYLES[status] ?? DOT_STYLES.pending;
  const padding = size === "sm" ? "px-2 py-0.5 text-xs" : "px-2.5 py-1 text-sm";
  return (
    <span
      data-testid={testId}
      data-status={status}
      className={`inline-flex shrink-0 items-center gap-1.5 rounded-full font-medium ring-1 ring-inset ${padding} ${colours}`}
    >
      <span aria-hidden="true" className={`h-2 w-2 rounded-full ${dot}`} />
      {status}
    </span>
  );
}
