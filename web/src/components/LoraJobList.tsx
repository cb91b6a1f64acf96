import type { LoraJob } from "../api/types";
import { formatDateTime, formatRelative } from "../lib/format";
import { finishedTrials, loraProgress } from "../lib/lora";
import { statusTone } from "../lib/progress";
import { ProgressBar } from "./ProgressBar";
import { RowLink } from "./RowLink";
import { StatusBadge } from "./StatusBadge";

interface LoraJobListProps {
  jobs: LoraJob[];
  now: number;
  /** Hide the dataset column (the list is already one dataset's). */
  showDataset?: boolean;
}

/** LoRA fine-tuning jobs, newest first, each linking to its page. */
export function LoraJobList({ jobs, now, showDataset = true }: LoraJobListProps) {
  return (
    <ul data-testid="lora-list" className="space-y-3">
      {jobs.map((job) => (
        <li key={job.job_id}>
          <RowLink
            to={`/lora/${encodeURIComponent(job.job_id)}`}
            data-testid="lora-row"
            data-job-id={job.job_id}
            className="grid-cols-[minmax(0,1fr)_auto] gap-y-2 md:grid-cols-[minmax(0,1.4fr)_minmax(0,1fr)_minmax(9rem,1fr)_auto]"
          >
            <div className="col-span-2 min-w-0 md:col-span-1">
              <p className="truncate font-mono text-sm font-semibold text-slate-900" title={job.base_model}>
                {job.base_model}
              </p>
              <p className="truncate font-mono text-xs text-slate-500" title={job.job_id}>
                {job.job_id}
                {showDataset && <span className="font-sans"> · on </span>}
                {showDataset && job.dataset_id}
              </p>
            </div>
            <p className="text-sm text-slate-600" title={formatDateTime(job.created_at)}>
              <span className="sr-only">Created </span>
              {formatRelative(job.created_at, now)}
              <span className="text-slate-400"> · </span>
              {finishedTrials(job)}/{job.n_trials} trials
            </p>
            <div className="justify-self-end md:order-last">
              <StatusBadge status={job.status} size="sm" />
            </div>
            <div className="col-span-2 md:col-span-1">
              <ProgressBar
                value={loraProgress(job)}
                label={`Trials finished in LoRA job ${job.job_id}`}
                size="sm"
                tone={statusTone(job.status)}
              />
            </div>
          </RowLink>
        </li>
      ))}
    </ul>
  );
}
