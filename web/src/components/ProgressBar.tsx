import { clampPercent } from "../lib/format";

const TONES = {
  indigo: "bg-indigo-600",
  emerald: "bg-emerald-600",
  red: "bg-red-500",
  slate: "bg-slate-400",
};

type Tone = keyof typeof TONES;

/** The bar's colour for a job in `status`: red once it failed, green once done. */
export function statusTone(status: string): Tone {
  return status === "error" ? "red" : status === "done" ? "emerald" : "indigo";
}

interface ProgressBarProps {
  /** 0..100 */
  value: number;
  label: string;
  testId?: string;
  tone?: Tone;
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
