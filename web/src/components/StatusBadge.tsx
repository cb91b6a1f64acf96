/**
 * Colour-coded status of a task (pending/queued/running/done/error), a shard (…/failed), a dataset
 * (UPLOADED … READY_FOR_FINE_TUNING, DELETED) or a LoRA trial (RUNNING, COMPLETE, PRUNED, FAIL).
 */
import { Fragment } from "react";

const SLATE = "bg-slate-100 text-slate-700 ring-slate-300";
const AMBER = "bg-amber-100 text-amber-900 ring-amber-300";
const BLUE = "bg-blue-100 text-blue-800 ring-blue-300";
const EMERALD = "bg-emerald-100 text-emerald-800 ring-emerald-300";
const RED = "bg-red-100 text-red-800 ring-red-300";

const STATUS_STYLES: Record<string, string> = {
  pending: SLATE,
  queued: AMBER,
  running: BLUE,
  done: EMERALD,
  error: RED,
  failed: RED,
  UPLOADED: SLATE,
  GENERATING: BLUE,
  GENERATED: "bg-indigo-100 text-indigo-800 ring-indigo-300",
  VALIDATING: "bg-violet-100 text-violet-800 ring-violet-300",
  READY_FOR_FINE_TUNING: EMERALD,
  DELETED: "bg-zinc-200 text-zinc-700 ring-zinc-400",
  RUNNING: BLUE,
  COMPLETE: EMERALD,
  PRUNED: AMBER,
  FAIL: RED,
};

const DOT_STYLES: Record<string, string> = {
  pending: "bg-slate-400",
  queued: "bg-amber-500",
  running: "bg-blue-500 animate-pulse",
  done: "bg-emerald-500",
  error: "bg-red-500",
  failed: "bg-red-500",
  UPLOADED: "bg-slate-400",
  GENERATING: "bg-blue-500 animate-pulse",
  GENERATED: "bg-indigo-500",
  VALIDATING: "bg-violet-500 animate-pulse",
  READY_FOR_FINE_TUNING: "bg-emerald-500",
  DELETED: "bg-zinc-500",
  RUNNING: "bg-blue-500 animate-pulse",
  COMPLETE: "bg-emerald-500",
  PRUNED: "bg-amber-500",
  FAIL: "bg-red-500",
};

interface StatusBadgeProps {
  status: string;
  testId?: string;
  size?: "sm" | "md";
}

/** The status word as the API spells it, with line-break chances after "_" so a long one fits a phone. */
function breakableWord(status: string) {
  const parts = status.split("_");
  return parts.map((part, i) => (
    <Fragment key={i}>
      {part}
      {i < parts.length - 1 && (
        <>
          _<wbr />
        </>
      )}
    </Fragment>
  ));
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
      <span aria-hidden="true" className={`h-2 w-2 shrink-0 rounded-full ${dot}`} />
      <span className="min-w-0">{breakableWord(status)}</span>
    </span>
  );
}
