import { Link, useParams } from "react-router";

import { downloadAdapterUrl, getLoraJob } from "../api/client";
import { LORA_TERMINAL_STATUSES, type LoraJob } from "../api/types";
import { AdapterPlayground } from "../components/AdapterPlayground";
import { Card } from "../components/Card";
import { CodeSnippet } from "../components/CodeSnippet";
import { DetailFallback, DetailHeader } from "../components/DetailPage";
import { DownloadLink } from "../components/DownloadLink";
import { ErrorMessage } from "../components/ErrorMessage";
import { FailureNotice } from "../components/FailureNotice";
import { Field } from "../components/Field";
import { ProgressBar } from "../components/ProgressBar";
import { StatusBadge } from "../components/StatusBadge";
import { TrialsChart } from "../components/TrialsChart";
import { TrialsTable } from "../components/TrialsTable";
import { useNow } from "../hooks/useNow";
import { usePageTitle } from "../hooks/usePageTitle";
import { usePolling } from "../hooks/usePolling";
import { formatDateTime, formatNumber, formatRelative } from "../lib/format";
import { adapterSnippet, finishedTrials, formatLearningRate, loraProgress, trialPoints } from "../lib/lora";
import { statusTone } from "../lib/progress";

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
    return (
      <DetailFallback
        error={poll.error}
        title="LoRA fine-tuning"
        notFoundTitle="LoRA job not found"
        retryTitle="Could not load the job; retrying"
        errorTestId="lora-load-error"
        back={{ to: "/datasets", label: "See datasets and LoRA jobs" }}
      />
    );
  }

  const best = job.best_trial;
  return (
    <div className="space-y-6">
      <DetailHeader
        back={{ to: "/datasets", label: "Datasets" }}
        note={poll.polling ? `Refreshing every ${LORA_REFRESH_MS / 1000} s` : "Finished: no longer refreshing"}
        noteTestId="lora-refresh-note"
      >
        <h1 className="mt-1 text-2xl font-semibold tracking-tight text-slate-900">LoRA fine-tuning</h1>
      </DetailHeader>

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
            tone={statusTone(job.status)}
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
        <FailureNotice title="Fine-tuning failed" reason={job.error} testId="lora-job-error" />
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
            <DownloadLink href={job.download_url ?? downloadAdapterUrl(job.job_id)} testId="download-adapter">
              Download adapter (.zip)
            </DownloadLink>
            <div>
              <h3 className="mb-2 text-sm font-medium text-slate-700">Use it in Python</h3>
              <CodeSnippet code={adapterSnippet(job)} testId="adapter-snippet" />
            </div>
          </div>
        </Card>
      )}

      {job.status === "done" && (
        <Card title="Try your adapter" testId="playground-card">
          <AdapterPlayground jobId={job.job_id} />
        </Card>
      )}

      <Card title="Trials" testId="trials-card">
        {job.trials.length > 0 ? (
          <div className="space-y-6">
            {trialPoints(job.trials).length > 0 && <TrialsChart job={job} />}
            <TrialsTable job={job} />
          </div>
        ) : (
          <p className="flex min-h-24 items-center justify-center rounded-lg bg-slate-50 text-center text-sm text-slate-500">
            {job.status === "error" ? "No trial finished." : "Each trial appears here when it finishes."}
          </p>
        )}
      </Card>
    </div>
  );
}
