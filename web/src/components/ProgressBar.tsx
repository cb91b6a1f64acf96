import { clampPercent } from "../lib/format";
import type { ProgressTone } from "../lib/progress";

const TONES: Record<ProgressTone, string> = {
  indigo: "bg-indigo-600",
  emerald: "bg-emerald-600",
  red: "bg-red-500",
  slate: "bg-slate-400",
};

interface ProgressBarProps {
  /** 0..100 */
  value: number;
  label: string;
  testId?: string;
  tone?: ProgressTone;
  size?: "sm" | "md";
  showValue?: boolean;
}

export function ProgressBar({
  value,
  label,
  testId,
  tone = "indigo",
  size = "md",
  showValue = true,
}: ProgressBarProps) {
  const percent = Math.round(clampPercent(value));
  return (
    <div className="flex items-center gap-3">
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        data-testid={testId}
        className={`w-full overflow-hidden rounded-full bg-slate-200 ${size === "sm" ? "h-1.5" : "h-2.5"}`}
      >
        <div
          className={`h-full rounded-full transition-[width] duration-500 ${TONES[tone]}`}
          style={{ width: `${percent}%` }}
        />
      </div>
      {showValue && <span className="w-11 shrink-0 text-right text-sm tabular-nums text-slate-600">{percent}%</span>}
    </div>
  );
}
