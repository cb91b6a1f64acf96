import { Link } from "react-router";

import { listTasks } from "../api/client";
import { TERMINAL_STATUSES, type TaskSummary } from "../api/types";
import { ErrorMessage } from "../components/ErrorMessage";
import { ListSkeleton } from "../components/ListSkeleton";
import { ProgressBar } from "../components/ProgressBar";
import { RowLink } from "../components/RowLink";
import { StatusBadge } from "../components/StatusBadge";
import { useNow } from "../hooks/useNow";
import { usePageTitle } from "../hooks/usePageTitle";
import { usePolling } from "../hooks/usePolling";
import { formatDateTime, formatRelative } from "../lib/format";
import { statusTone } from "../lib/progress";

const anyRunning = (tasks: TaskSummary[]) => tasks.some((task) => !TERMINAL_STATUSES.includes(task.status));

export function TasksPage() {
  usePageTitle("Tasks");
  const poll = usePolling((signal) => listTasks({ signal }), 5000, anyRunning);
  const now = useNow(5000);
  const tasks = poll.data;

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Tasks</h1>
          <p className="mt-1 text-slate-600">Recent training runs, newest first.</p>
        </div>
        <Link
          to="/train"
          className="rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-700"
        >
          New training
        </Link>
      </div>

      {poll.error !== null && <ErrorMessage error={poll.error} title="Could not load the tasks" testId="tasks-error" />}

      {!tasks && poll.loading && <ListSkeleton label="Loading tasks" rows={3} rowHeight="h-24" />}

      {tasks && tasks.length === 0 && (
        <div
          data-testid="tasks-empty"
          className="rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center"
        >
          <p className="text-slate-700">No training tasks yet.</p>
          <Link
            to="/train"
            className="mt-2 inline-block text-sm font-medium text-indigo-700 underline underline-offset-2"
          >
            Train your first model
          </Link>
        </div>
      )}

      {tasks && tasks.length > 0 && (
        <ul data-testid="task-list" className="space-y-3">
          {tasks.map((task) => (
            <li key={task.task_id}>
              <RowLink
                to={`/status/${encodeURIComponent(task.task_id)}`}
                data-testid="task-row"
                data-task-id={task.task_id}
                className="grid-cols-[minmax(0,1fr)_auto] gap-y-2 md:grid-cols-[minmax(0,1.4fr)_minmax(0,1fr)_minmax(9rem,1fr)_auto]"
              >
                <div className="min-w-0">
                  <p className="truncate font-mono text-sm font-semibold text-slate-900">{task.model_type}</p>
                  <p className="truncate font-mono text-xs text-slate-500" title={task.task_id}>
                    {task.task_id}
                  </p>
                </div>
                <div className="justify-self-end md:order-last">
                  <StatusBadge status={task.status} size="sm" />
                </div>
                <p className="text-sm text-slate-600" title={formatDateTime(task.created_at)}>
                  <span className="sr-only">Created </span>
                  {formatRelative(task.created_at, now)}
                </p>
                <div className="col-span-2 md:col-span-1">
                  <ProgressBar
                    value={task.progress}
                    label={`Progress of task ${task.task_id}`}
                    size="sm"
                    tone={statusTone(task.status)}
                  />
                </div>
                {task.status === "error" && task.error && (
                  <p className="col-span-2 truncate text-xs text-red-700 md:col-span-4" title={task.error}>
                    {task.error}
                  </p>
                )}
              </RowLink>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
