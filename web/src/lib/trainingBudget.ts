/** How long a training task may run, and why it stopped: the line under a task's status badge. */
import { TERMINAL_STATUSES, type TaskDetail } from "../api/types";
import { roundList } from "./baseline";
import { parseApiTime, plural } from "./format";

/** Whether early stopping (not a fixed count) decides the task's number of rounds. */
export function isAutoRounds(task: TaskDetail): boolean {
  return task.params?.early_stopping === true;
}

/** The most rounds the task may run: the fixed count, or an auto run's maximum. */
export function maxRounds(task: TaskDetail): number | undefined {
  return task.info?.budget?.max_rounds ?? task.params?.rounds;
}

/** "~7 min left" of a `budgetMinutes` budget started at `startedAt`, or null before the task started. */
export function timeLeft(startedAt: string | null | undefined, budgetMinutes: number, now: number): string | null {
  const start = parseApiTime(startedAt);
  if (!start) return null;
  const leftMs = budgetMinutes * 60_000 - (now - start.getTime());
  if (leftMs <= 0) return "time budget spent, finishing the round";
  return leftMs < 60_000 ? "<1 min left" : `~${Math.ceil(leftMs / 60_000)} min left`;
}

/**
 * The task's budget in a line: while an auto run goes, "round 2 of at most 20 · budget 10 min · ~7 min left";
 * once it ended, "Stopped: <the server's reason> · kept round 3". Null when there is nothing to say (a fixed run
 * still going: the status line already counts its rounds).
 */
export function budgetLine(task: TaskDetail, now: number): string | null {
  const auto = isAutoRounds(task);
  const budget = task.info?.budget;
  if (TERMINAL_STATUSES.includes(task.status)) {
    const parts = [
      task.stop_reason ? `Stopped: ${task.stop_reason}` : null,
      task.averaged_rounds && task.averaged_rounds.length > 1
        ? `kept ${roundList(task.averaged_rounds)}, averaged`
        : typeof task.kept_round === "number"
          ? `kept round ${task.kept_round + 1}`
          : null,
    ];
    return parts.filter(Boolean).join(" · ") || null;
  }
  if (!auto && !budget) return null;
  const most = maxRounds(task);
  const parts: (string | null)[] = [];
  if (task.status === "running") {
    parts.push(most ? `round ${task.current_round + 1} of ${auto ? "at most " : ""}${most}` : null);
  } else if (most) {
    parts.push(auto ? `up to ${plural(most, "round")}` : plural(most, "round"));
  }
  if (budget) {
    parts.push(`budget ${budget.time_budget_minutes} min`);
    if (task.status === "running") parts.push(timeLeft(task.started_at, budget.time_budget_minutes, now));
  }
  return parts.filter(Boolean).join(" · ") || null;
}
