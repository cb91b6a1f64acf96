import { Link, useParams } from "react-router";

import { downloadModelUrl, getTask } from "../api/client";
import { TERMINAL_STATUSES, type TaskDetail } from "../api/types";
import { BaselinePanel } from "../components/BaselinePanel";
import { Card } from "../components/Card";
import { DownloadLink } from "../components/DownloadLink";
import { ErrorMessage } from "../components/ErrorMessage";
import { EvaluationReport } from "../components/EvaluationReport";
import { FailureNotice } from "../components/FailureNotice";
import { Field } from "../components/Field";
import { LoadModelSnippet } from "../components/LoadModelSnippet";
import { MetricsChart } from "../components/MetricsChart";
import { MetricsTable } from "../components/MetricsTable";
import { ProgressBar } from "../components/ProgressBar";
import { ShardLossChart } from "../components/ShardLossChart";
import { ShardProgress } from "../components/ShardProgress";
import { StatusBadge } from "../components/StatusBadge";
import { TryItPanel } from "../components/TryItPanel";
import { useNow } from "../hooks/useNow";
import { usePageTitle } from "../hooks/usePageTitle";
import { usePolling } from "../hooks/usePolling";
import { errorStatus } from "../lib/errors";
import { startingWeights } from "../lib/evaluation";
import { formatDateTime, formatRelative, plural } from "../lib/format";
import { statusTone } from "../lib/progress";
import { budgetLine, isAutoRounds } from "../lib/trainingBudget";

export const REFRESH_MS = 5000;

const isRunning = (task: TaskDetail) => !TERMINAL_STATUSES.includes(task.status);

export function StatusPage() {
  const { taskId = "" } = useParams();
  usePageTitle(`Task ${taskId}`);
  const poll = usePolling((signal) => getTask(taskId, { signal }), REFRESH_MS, isRunning, taskId);
  const now = useNow(1000);
  const task = poll.data;

  if (!task) {
    if (poll.error && errorStatus(poll.error) === 404) {
      return (
        <div className="space-y-4">
          <h1 className="text-2xl font-semibold text-slate-900">Task not found</h1>
          <ErrorMessage error={poll.error} testId="task-load-error" />
          <Link to="/tasks" className="text-sm font-medium text-indigo-700 underline underline-offset-2">
            See all tasks
          </Link>
        </div>
      );
    }
    return (
      <div className="space-y-6" aria-busy="true">
        <h1 className="text-2xl font-semibold text-slate-900">Training task</h1>
        {poll.error !== null && (
          <ErrorMessage error={poll.error} title="Could not load the task; retrying" testId="task-load-error" />
        )}
        <div className="h-56 animate-pulse rounded-xl bg-slate-200/60" />
        <div className="h-72 animate-pulse rounded-xl bg-slate-200/60" />
      </div>
    );
  }

  const auto = isAutoRounds(task);
  // An auto run's rounds are a maximum: once it has stopped, the rounds it ran are the whole story.
  const totalRounds = (auto && !isRunning(task) ? undefined : task.params?.rounds) ?? (task.rounds.length || undefined);
  const evaluated = task.rounds.some((round) => round.metrics);
  const shardLosses = task.rounds.some((round) => (round.shard_losses ?? []).length > 0);
  const weights = startingWeights(task);
  const budget = budgetLine(task, now);

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Training task</h1>
        <p className="text-xs text-slate-500" data-testid="refresh-note" aria-live="polite">
          {poll.polling
            ? `Refreshing every ${REFRESH_MS / 1000} s · updated ${formatRelative(new Date(poll.updatedAt ?? now).toISOString(), now)}`
            : "Finished: no longer refreshing"}
        </p>
      </div>

      {poll.error !== null && (
        <ErrorMessage error={poll.error} title="The last refresh failed; retrying" testId="task-load-error" />
      )}

      <Card testId="task-card">
        <div className="flex flex-wrap items-center gap-3">
          <StatusBadge status={task.status} />
          <span className="font-mono text-sm font-semibold text-slate-900">{task.model_type}</span>
          <span className="text-sm text-slate-500">
            {task.status === "running" && totalRounds && !auto
              ? `round ${task.current_round + 1} of ${totalRounds}`
              : null}
          </span>
        </div>
        {budget && (
          <p data-testid="training-budget" className="mt-2 text-sm text-slate-600">
            {budget}
          </p>
        )}
        <div className="mt-4">
          <ProgressBar
            value={task.progress}
            label="Training progress"
            testId="task-progress"
            tone={statusTone(task.status)}
          />
        </div>
        <dl className="mt-5 grid gap-x-6 gap-y-3 text-sm sm:grid-cols-2 lg:grid-cols-3">
          <Field label="Task id" testId="task-id" mono>
            {task.task_id}
          </Field>
          <Field label="Model type" testId="task-model-type" mono>
            {task.model_type} <span className="font-sans text-slate-500">({task.kind})</span>
          </Field>
          <Field label="Dataset" testId="task-dataset" mono>
            {task.dataset_id}
          </Field>
          <Field label="Created" testId="task-created">
            {formatDateTime(task.created_at)}{" "}
            <span className="text-slate-500">({formatRelative(task.created_at, now)})</span>
          </Field>
          <Field label="Settings" testId="task-params">
            {[
              task.params?.num_shards !== undefined && plural(task.params.num_shards, "shard"),
              task.params?.rounds !== undefined &&
                `${auto ? "up to " : ""}${plural(task.params.rounds, "round")}${auto ? " (auto)" : ""}`,
              task.params?.epochs !== undefined && plural(task.params.epochs, "epoch"),
            ]
              .filter(Boolean)
              .join(" · ") || "—"}
          </Field>
          <Field label="Starting weights" testId="task-weights">
            {weights ??
              (task.info?.weights_source ? <span className="font-mono">{task.info.weights_source}</span> : "—")}
          </Field>
        </dl>
      </Card>

      {task.status === "error" && <FailureNotice title="Training failed" reason={task.error} testId="task-error" />}

      {task.status === "done" && (
        <Card title="Your model" testId="result-card">
          <div className="space-y-4">
            <DownloadLink href={downloadModelUrl(task.task_id)} testId="download-model">
              Download model (.zip)
            </DownloadLink>
            <div>
              <h3 className="mb-2 text-sm font-medium text-slate-700">Use it in Python</h3>
              <LoadModelSnippet kind={task.kind} />
            </div>
          </div>
        </Card>
      )}

      {task.status === "done" && task.model_id && (
        <Card title="Try it" testId="try-it">
          <TryItPanel modelId={task.model_id} kind={task.kind} />
        </Card>
      )}

      <BaselinePanel task={task} />

      <Card title="Evaluation per round" testId="metrics-card">
        {evaluated ? (
          <div className="grid gap-6 lg:grid-cols-2">
            <MetricsChart rounds={task.rounds} totalRounds={totalRounds} keptRound={task.kept_round} />
            <MetricsTable rounds={task.rounds} keptRound={task.kept_round} />
          </div>
        ) : (
          <p className="flex min-h-24 items-center justify-center rounded-lg bg-slate-50 text-center text-sm text-slate-500">
            {task.status === "error"
              ? "No round was evaluated."
              : "Accuracy and loss appear here after the first round is evaluated."}
          </p>
        )}
      </Card>

      {task.evaluation && (
        <Card title="Evaluation of the stored model" testId="evaluation-card">
          <EvaluationReport report={task.evaluation} />
        </Card>
      )}

      {shardLosses && (
        <Card title="Local training loss per shard" testId="shard-loss-card">
          <ShardLossChart rounds={task.rounds} totalRounds={totalRounds} />
        </Card>
      )}

      <Card title="Shards" testId="shards-card">
        <ShardProgress shards={task.shards} currentRound={task.current_round} totalRounds={totalRounds} />
      </Card>
    </div>
  );
}
