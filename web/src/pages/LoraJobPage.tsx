import { Link, useParams } from "react-router";

import { downloadAdapterUrl, getLoraJob } from "../api/client";
import { LORA_TERMINAL_STATUSES, type LoraJob } from "../api/types";
import { Card } from "../components/Card";
import { CodeSnippet } from "../components/CodeSnippet";
import { DownloadIcon } from "../components/DownloadIcon";
import { ErrorMessage } from "../components/ErrorMessage";
import { Field } from "../components/Field";
import { ProgressBar } from "../components/ProgressBar";
import { StatusBadge } from "../components/StatusBadge";
import { TrialsTable } from "../components/TrialsTable";
import { useNow } from "../hooks/useNow";
import { usePageTitle } from "../hooks/usePageTitle";
import { usePolling } from "../hooks/usePolling";
import { errorStatus } from "../lib/errors";
import { formatDateTime, formatNumber, formatRelative } from "../lib/format";
import { adapterSnippet, finishedTrials, formatLearningRate, loraProgress } from "../lib/lora";

/** A trial on a small model takes seconds: refresh often while the search runs. */
export const LORA_REFRESH_MS = 2000;

const isRunning = (job: LoraJob) => !LORA_TERMINAL_STATUSES.includes(job.status);

export function LoraJobPage() {
  const { jobId = "" } = useParams();
  usePageTitle(`LoRA job ${jobId}`);
  const poll = usePolling((signal) => getLoraJob(jobId, { signal }), LORA_REFRESH_MS, isRunning, jobId);
  const now = useNow(5000);
  const job = poll.data;

  if (!job) {
    const missing = poll.error && errorStatus(poll.error) === 404;
    return (
      <div className="space-y-4" aria-busy={!missing}>
        <h1 className="text-2xl font-semibold text-slate-900">{missing ? "LoRA job not found" : "LoRA fine-tuning"}</h1>
        {poll.error !== null && (
          <ErrorMessage
            error={poll.error}
            title={missing ? undefined : "Could not load the job; retrying"}
            testId="lora-load-error"
          />
        )}
        {missing ? (
          <Link to="/datasets" className="text-sm font-medium text-indigo-700 underline underline-offset-2">
            See datasets and LoRA jobs
          </Link>
        ) : (
          <div className="h-48 animate-pulse rounded-xl bg-slate-200/60" />
        )}
      </div>
    );
  }

  const best = job.best_trial;
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div className="min-w-0">
          <Link to="/datasets" className="text-sm font-medium text-indigo-700 hover:underline">
            ← Datasets
          </Link>
          <h1 className="mt-1 text-2xl font-semibold tracking-tight text-slate-900">LoRA fine-tuning</h1>
        </div>
        <p className="text-xs text-slate-500" data-testid="lora-refresh-note" aria-live="polite">
          {poll.polling ? `Refreshing every ${LORA_REFRESH_MS / 1000} s` : "Finished: no longer refreshing"}
        </p>
      </div>

      {poll.error !== null && (
        <ErrorMessage error={poll.error} title="The last refresh failed; retrying" testId="lora-load-error" />
      )}

      <Card testId="lora-card">
        <div className="flex flex-wrap items-center gap-3">
          <StatusBadge status={job.status} testId="lora-status" />
          <span className="min-w-0 truncate font-mono text-sm font-semibold text-slate-900" title={job.base_model}>
            {job.base_model}
          </span>
        </div>
        <div className="mt-4">
          <ProgressBar
            value={loraProgress(job)}
            label="Trials finished"
            testId="lora-progress"
            tone={job.status === "error" ? "red" : job.status === "done" ? "emerald" : "indigo"}
          />
          <p className="mt-1 text-xs text-slate-500" data-testid="lora-trials-count">
            {finishedTrials(job)} of {job.n_trials} trials finished
          </p>
        </div>
        <dl className="mt-5 grid gap-x-6 gap-y-3 text-sm sm:grid-cols-2 lg:grid-cols-3">
          <Field label="Job id" testId="lora-job-id" mono>
            {job.job_id}
          </Field>
          <Field label="Dataset" testId="lora-dataset" mono>
            <Link
              to={`/datasets/${encodeURIComponent(job.dataset_id)}`}
              className="text-indigo-700 underline underline-offset-2"
            >
              {job.dataset_id}
            </Link>
          </Field>
          <Field label="Created" testId="lora-created">
            {formatDateTime(job.created_at)}{" "}
            <span className="text-slate-500">({formatRelative(job.created_at, now)})</span>
          </Field>
        </dl>
      </Card>

      {job.status === "error" && (
        <div
          role="alert"
          data-testid="lora-job-error"
          className="rounded-xl border border-red-200 bg-red-50 p-4 text-sm text-red-900"
        >
          <p className="font-semibold">Fine-tuning failed</p>
          <p className="mt-1 whitespace-pre-wrap break-words">{job.error || "The server gave no reason."}</p>
        </div>
      )}

      {job.status === "done" && (
        <Card title="Your adapter" testId="adapter-card">
          <div className="space-y-4">
            {best && (
              <p className="text-sm text-slate-700" data-testid="best-trial-summary">
                Best trial <span className="font-semibold">#{best.number}</span>: rank {best.params.rank ?? "—"}, alpha{" "}
                {best.params.lora_alpha ?? "—"}, learning rate {formatLearningRate(best.params.learning_rate)}, eval
                loss <span className="font-semibold tabular-nums">{formatNumber(best.eval_loss, 4)}</span>.
              </p>
            )}
            <a
              href={job.download_url ?? downloadAdapterUrl(job.job_id)}
              download
              data-testid="download-adapter"
              className="inline-flex items-center gap-2 rounded-lg bg-indigo-600 px-4 py-2.5 text-sm font-semibold text-white shadow-sm hover:bg-indigo-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
            >
              <DownloadIcon />
              Download adapter (.zip)
            </a>
            <div>
              <h3 className="mb-2 text-sm font-medium text-slate-700">Use it in Python</h3>
              <CodeSnippet code={adapterSnippet(job)} testId="adapter-snippet" />
            </div>
          </div>
        </Card>
      )}

      <Card title="Trials" testId="trials-card">
        {job.trials.length > 0 ? (
          <TrialsTable job={job} />
        ) : (
          <p className="flex min-h-24 items-center justify-center rounded-lg bg-slate-50 text-center text-sm text-slate-500">
            {job.status === "error" ? "No trial finished." : "Each trial appears here when it finishes."}
          </p>
        )}
      </Card>
    </div>
  );
}
