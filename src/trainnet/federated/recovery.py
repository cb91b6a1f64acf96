"""Repairing federated training's lost work, run by the sweeper: re-send the jobs of dead workers and lost
messages, finalize rounds whose trigger was lost, and end tasks past their wall-time limit. The decisions are the
pure `rules`; this module reads the rows they need and applies the answers. Running it twice is harmless: every
job is idempotent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from trainnet.db.tables import Task, utcnow
from trainnet.dispatch.fleet import fleet
from trainnet.dispatch.policy import Policy, job_key
from trainnet.dispatch.sender import Dispatch
from trainnet.federated import rules
from trainnet.federated.coordinator import (
    discard_dispatch,
    finalize_dispatch,
    lock_task,
    maybe_finalize,
    prepare_dispatch,
    round_of,
    set_task_status,
    shard_dispatch,
    shard_state,
    shards_of,
)
from trainnet.status import RoundStatus, ShardStatus, TaskStatus, advance
from trainnet.training.params import TrainingParams


def stop_over_time_limit(session: Session, task: Task, now: datetime, policy: Policy) -> list[Dispatch]:
    """End a task that ran past its wall-time limit: its round and unfinished shards stop with the reason and
    its round weights are discarded. A worker still training one of its shards is told not to proceed at its
    next progress report, and a late report of any kind changes nothing (the task has ended)."""
    assert task.started_at is not None
    elapsed = (now - task.started_at).total_seconds()
    reason = (
        f"the task exceeded the {policy.time_limit_seconds:g} s wall-time limit (it ran {elapsed:.0f} s); "
        "the server's TRAINNET_TASK_TIME_LIMIT sets it"
    )
    current = round_of(session, task, task.current_round)
    if current is not None and current.status in (RoundStatus.RUNNING, RoundStatus.FINALIZING):
        current.status = advance(RoundStatus, current.status, RoundStatus.ERROR)
        for shard in shards_of(session, task, current.round):
            if shard.status in (ShardStatus.QUEUED, ShardStatus.RUNNING):
                shard.status = advance(ShardStatus, shard.status, ShardStatus.FAILED)
                shard.error, shard.finished_at = "stopped: the task exceeded its wall-time limit", now
    set_task_status(task, TaskStatus.ERROR, reason)
    return [discard_dispatch(task, policy)]


def sweep(session: Session, policy: Policy, now: datetime | None = None) -> list[Dispatch]:
    """The dispatches that repair every active training task; rounds are judged by each task's own
    `min_shard_fraction`."""
    now = now or utcnow()
    workers = fleet(session, now, policy)
    dispatches: list[Dispatch] = []
    active = session.scalars(select(Task).where(Task.status.in_([TaskStatus.QUEUED, TaskStatus.RUNNING])))
    for listed in list(active):
        task = lock_task(session, listed.id)
        if task is None or task.status not in (TaskStatus.QUEUED, TaskStatus.RUNNING):
            continue
        if rules.over_time_limit(task.started_at, now, policy):
            dispatches += stop_over_time_limit(session, task, now, policy)
            continue
        if task.prepared_at is None:
            if rules.job_lost(job_key("prepare", task.id), task.prepare_dispatched_at, workers, now, policy):
                dispatches.append(prepare_dispatch(task, TrainingParams.from_dict(task.params).num_shards, policy))
            continue
        current = round_of(session, task, task.current_round)
        if current is None:
            continue
        if current.status == RoundStatus.RUNNING:
            shards = shards_of(session, task, current.round)
            resend = rules.shards_to_resend(
                task.id, current.round, [shard_state(s) for s in shards], workers, now, policy
            )
            for shard in shards:
                if shard.index in resend:
                    shard.status = advance(ShardStatus, shard.status, ShardStatus.QUEUED)
                    shard.progress = 0.0
                    dispatches.append(shard_dispatch(task, shard, policy))
            dispatches += maybe_finalize(session, task, current, policy)
        elif current.status == RoundStatus.FINALIZING:
            key = job_key("finalize_round", task.id, current.round)
            if rules.job_lost(key, current.finalize_dispatched_at, workers, now, policy):
                used = current.shards_used or []
                done = [s for s in shards_of(session, task, current.round) if s.index in used]
                dispatches.append(finalize_dispatch(session, task, current, done, policy))
    return dispatches
