import { listWorkers } from "../api/client";
import { ErrorMessage } from "../components/ErrorMessage";
import { useNow } from "../hooks/useNow";
import { usePageTitle } from "../hooks/usePageTitle";
import { usePolling } from "../hooks/usePolling";
import { formatDateTime, formatRelative, parseApiTime } from "../lib/format";

/** A worker silent for longer than this is probably gone. */
const STALE_AFTER_MS = 30_000;

export function WorkersPage() {
  usePageTitle("Workers");
  const poll = usePolling((signal) => listWorkers({ signal }), 5000);
  const now = useNow(1000);
  const workers = poll.data;

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Workers</h1>
        <p className="mt-1 text-slate-600">
          Processes that train shards, with the queues they listen on. Refreshes every 5 s.
        </p>
      </div>

      {poll.error !== null && (
        <ErrorMessage error={poll.error} title="Could not load the workers" testId="workers-error" />
      )}

      {!workers && poll.loading && (
        <div className="grid gap-4 md:grid-cols-2" aria-busy="true" aria-label="Loading workers">
          {[0, 1].map((i) => (
            <div key={i} className="h-36 animate-pulse rounded-xl bg-slate-200/60" />
          ))}
        </div>
      )}

      {workers && workers.length === 0 && (
        <div
          data-testid="workers-empty"
          className="rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center text-slate-700"
        >
          No worker has reported in. Start one with{" "}
          <code className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-sm">trainnet worker</code>.
        </div>
      )}

      {workers && workers.length > 0 && (
        <ul data-testid="worker-list" className="grid gap-4 md:grid-cols-2">
          {workers.map((worker) => {
            const heartbeat = parseApiTime(worker.last_heartbeat);
            const stale = !heartbeat || now - heartbeat.getTime() > STALE_AFTER_MS;
            return (
              <li
                key={worker.name}
                data-testid="worker-row"
                className="min-w-0 rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
              >
                <div className="flex items-start justify-between gap-3">
                  <div className="min-w-0">
                    <p className="truncate font-mono text-sm font-semibold text-slate-900" title={worker.name}>
                      {worker.name}
                    </p>
                    <p className="truncate text-xs text-slate-500" title={worker.hostname}>
                      {worker.hostname}
                    </p>
                  </div>
                  <span
                    data-testid="worker-heartbeat"
                    title={formatDateTime(worker.last_heartbeat)}
                    className={`inline-flex shrink-0 items-center gap-1.5 text-xs ${stale ? "text-amber-700" : "text-emerald-700"}`}
                  >
                    <span
                      aria-hidden="true"
                      className={`h-2 w-2 rounded-full ${stale ? "bg-amber-500" : "bg-emerald-500"}`}
                    />
                    seen {formatRelative(worker.last_heartbeat, now)}
                  </span>
                </div>
                <dl className="mt-3 grid grid-cols-[auto_minmax(0,1fr)] gap-x-4 gap-y-2 text-sm">
                  <dt className="text-slate-500">Queues</dt>
                  <dd className="flex flex-wrap gap-1">
                    {worker.queues.length === 0 && <span className="text-slate-400">none</span>}
                    {worker.queues.map((queue) => (
                      <span key={queue} className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-700">
                        {queue}
                      </span>
                    ))}
                  </dd>
                  <dt className="text-slate-500">Active jobs</dt>
                  <dd data-testid="worker-active-jobs" className="tabular-nums text-slate-900">
                    {worker.active_jobs}
                  </dd>
                  {worker.jobs.length > 0 && (
                    <>
                      <dt className="text-slate-500">Running</dt>
                      <dd>
                        <ul className="space-y-0.5">
                          {worker.jobs.map((job) => (
                            <li key={job} className="truncate font-mono text-xs text-slate-700" title={job}>
                              {job}
                            </li>
                          ))}
                        </ul>
                      </dd>
                    </>
                  )}
                </dl>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
