"""The coordinator: the API-side bookkeeping of federated training.

It records what workers report (shard progress and completion, round results) idempotently in the
database and decides what to dispatch next. It never talks to the broker itself: each function returns the
`Dispatch`es to send, and the caller sends them after the transaction commits. A periodic `sweep` repairs
what a lost message or a dead worker left behind; running it twice is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from trainnet.db.tables import Round, Shard, Task, Worker, utcnow
from trainnet.jobs import (
    DISCARD_ROUND_WEIGHTS_TASK,
    FINALIZE_ROUND_TASK,
    PREPARE_TASK,
    TRAIN_SHARD_TASK,
    DiscardJob,
    PrepareJob,
    RoundJob,
    ShardInRound,
    ShardJob,
)
from trainnet.status import RoundStatus, ShardStatus, TaskStatus, advance
from trainnet.training.params import TrainingParams


@dataclass(frozen=True)
class Dispatch:
    """A Celery task to send: `payload` is its single argument, or its keyword arguments when `as_kwargs`."""

    name: str
    payload: dict
    queue: str
    as_kwargs: bool = False


@dataclass(frozen=True)
class Policy:
    """The coordinator's knobs, taken from the settings."""

    queue: str = "cpu_queue"
    lease_seconds: float = 120.0
    worker_timeout_seconds: float = 15.0
    time_limit_seconds: float = 0.0  # a task's wall-time limit from its start; 0: none

    @classmethod
    def from_settings(cls, settings) -> Policy:
        return cls(queue=settings.train_queue, lease_seconds=settings.shard_lease_seconds,
                   worker_timeout_seconds=3 * settings.worker_heartbeat_seconds,
                   time_limit_seconds=settings.task_time_limit_seconds)


def model_id_for(task_id: str) -> str:
    return "model_" + task_id.split("_", 1)[-1]


def job_key(*parts) -> str:
    """How workers name their current job in heartbeats, e.g. `train_shard:task_x:0:1`."""
    return ":".join(str(p) for p in parts)


def lock_task(session: Session, task_id: str) -> Task | None:
    return session.get(Task, task_id, with_for_update=True, populate_existing=True)


def set_task_status(task: Task, status: str, error: str | None = None) -> None:
    task.status = advance(TaskStatus, task.status, status)
    if status == TaskStatus.RUNNING and task.started_at is None:
        task.started_at = utcnow()
    if error:
        task.error = error[:4000]
    if status in (TaskStatus.DONE, TaskStatus.ERROR):
        task.finished_at = utcnow()
        if status == TaskStatus.DONE:
            task.progress = 100.0


def prepare_dispatch(task: Task, num_shards: int, policy: Policy) -> Dispatch:
    task.prepare_dispatched_at = utcnow()
    job = PrepareJob(
        task_id=task.id, model_type=task.model_type, kind=task.kind, base_model=task.params.get("base_model"),
        label_names=task.label_names, num_shards=num_shards, params=task.params,
    )
    return Dispatch(PREPARE_TASK, job.model_dump(), policy.queue)


def record_preparation(session: Session, task: Task, info: dict, shard_rows: list[int], policy: Policy):
    """The initial model exists: start round 0. Idempotent: a second report changes nothing."""
    if task.prepared_at is not None or task.status in (TaskStatus.DONE, TaskStatus.ERROR):
        return []
    task.info = info
    task.prepared_at = utcnow()
    if task.status == TaskStatus.QUEUED:
        set_task_status(task, TaskStatus.RUNNING)
    return start_round(session, task, 0, shard_rows, policy)


def start_round(session: Session, task: Task, round_: int, shard_rows: list[int], policy: Policy):
    task.current_round = round_
    session.add(Round(task_id=task.id, round=round_, status=RoundStatus.RUNNING))
    shards = [Shard(task_id=task.id, round=round_, index=i, rows=rows) for i, rows in enumerate(shard_rows)]
    session.add_all(shards)
    session.flush()
    return [shard_dispatch(task, shard, policy) for shard in shards]


def shard_dispatch(task: Task, shard: Shard, policy: Policy) -> Dispatch:
    shard.attempts += 1
    shard.dispatched_at = utcnow()
    job = ShardJob(
        task_id=task.id, round=shard.round, index=shard.index, attempt=shard.attempts, kind=task.kind,
        params=task.params, pretrained=bool(task.info.get("pretrained")),
    )
    return Dispatch(TRAIN_SHARD_TASK, job.model_dump(), policy.queue)


def round_of(session: Session, task: Task, round_: int) -> Round | None:
    return session.scalar(select(Round).where(Round.task_id == task.id, Round.round == round_))


def shards_of(session: Session, task: Task, round_: int) -> list[Shard]:
    query = select(Shard).where(Shard.task_id == task.id, Shard.round == round_).order_by(Shard.index)
    return list(session.scalars(query))


def record_warmup_progress(task: Task, progress: float) -> None:
    """The prepare job's shared warm-up is `progress`% through: the first part of the task's progress."""
    if task.prepared_at is None and task.status == TaskStatus.RUNNING:
        share = TrainingParams.from_dict(task.params).warmup_share()
        task.progress = round(min(99.0, share * progress), 1)


def update_progress(session: Session, task: Task) -> None:
    """Overall progress: the warm-up if there was one, then finished rounds plus the current round's mean shard
    progress (90%) and finalizing."""
    rounds = int(task.params.get("rounds", 1))
    current = round_of(session, task, task.current_round)
    shards = shards_of(session, task, task.current_round)
    if current is None or not shards:
        return
    within = 0.9 * sum(s.progress for s in shards) / (100.0 * len(shards))
    if current.status == RoundStatus.DONE:
        within = 1.0
    warmup = TrainingParams.from_dict(task.params).warmup_share() if (task.info or {}).get("warmup") else 0.0
    task.progress = round(min(99.0, 100.0 * (warmup + (1 - warmup) * (task.current_round + within) / rounds)), 1)


def record_shard_report(
    session: Session, task: Task, round_: int, index: int, status: str, policy: Policy, *,
    progress: float | None = None, worker: str | None = None, train_loss: float | None = None,
    error: str | None = None, first_step: bool = False, min_shard_fraction: float = 0.5,
) -> tuple[bool, list[Dispatch]]:
    """Record a worker's report on one shard. Returns (proceed, dispatches): proceed is False when the
    work is no longer wanted (the shard is done already, its round has moved on, or the task ended)."""
    shard = session.scalar(
        select(Shard).where(Shard.task_id == task.id, Shard.round == round_, Shard.index == index)
    )
    current = round_of(session, task, round_)
    if shard is None or current is None:
        raise LookupError(f"task {task.id} has no shard {index} in round {round_}")
    if task.status in (TaskStatus.DONE, TaskStatus.ERROR) or current.status != RoundStatus.RUNNING:
        return False, []
    if shard.status == ShardStatus.DONE:
        return status == ShardStatus.DONE, []
    now = utcnow()
    shard.heartbeat_at = now
    if worker:
        shard.worker = worker
    if status == ShardStatus.RUNNING:
        shard.status = advance(ShardStatus, shard.status, ShardStatus.RUNNING)
        shard.started_at = shard.started_at or now
        if progress is not None:
            shard.progress = max(0.0, min(100.0, progress))
        if first_step and shard.first_step_at is None:
            shard.first_step_at = now
        if task.status == TaskStatus.QUEUED:
            set_task_status(task, TaskStatus.RUNNING)
        update_progress(session, task)
        return True, []
    if status == ShardStatus.DONE:
        shard.status = advance(ShardStatus, shard.status, ShardStatus.DONE)
        shard.progress, shard.train_loss, shard.finished_at, shard.error = 100.0, train_loss, now, None
    elif status == ShardStatus.FAILED:
        shard.status = advance(ShardStatus, shard.status, ShardStatus.FAILED)
        shard.error, shard.finished_at = (error or "failed")[:4000], now
    else:
        raise ValueError(f"unknown shard status {status!r}")
    update_progress(session, task)
    return True, maybe_finalize(session, task, current, policy, min_shard_fraction)


def maybe_finalize(session: Session, task: Task, current: Round, policy: Policy, min_shard_fraction: float):
    """When every shard of the round has finished, hand the round to the finalizer (once), or end the task
    if the shards that succeeded cover too few rows."""
    shards = shards_of(session, task, current.round)
    if current.status != RoundStatus.RUNNING or any(
        s.status not in (ShardStatus.DONE, ShardStatus.FAILED) for s in shards
    ):
        return []
    done = [s for s in shards if s.status == ShardStatus.DONE]
    covered = sum(s.rows for s in done) / max(1, sum(s.rows for s in shards))
    current.rows_covered = round(covered, 4)
    current.shards_used = [s.index for s in done]
    if covered < min_shard_fraction or not done:
        failures = "; ".join(f"shard {s.index}: {s.error}" for s in shards if s.status == ShardStatus.FAILED)
        current.status = advance(RoundStatus, current.status, RoundStatus.ERROR)
        set_task_status(
            task, TaskStatus.ERROR,
            f"round {current.round}: shards covering only {covered:.0%} of the training rows succeeded "
            f"(at least {min_shard_fraction:.0%} needed). {failures}",
        )
        return [discard_dispatch(task, policy)]
    current.status = advance(RoundStatus, current.status, RoundStatus.FINALIZING)
    return [finalize_dispatch(session, task, current, done, policy)]


def finalize_dispatch(session: Session, task: Task, current: Round, done: list[Shard], policy: Policy) -> Dispatch:
    current.finalize_dispatched_at = utcnow()
    from trainnet.db.tables import Dataset

    dataset = session.get(Dataset, task.dataset_id)
    job = RoundJob(
        task_id=task.id, round=current.round, rounds_total=int(task.params.get("rounds", 1)), kind=task.kind,
        model_type=task.model_type, params=task.params, shards=[ShardInRound(index=s.index, rows=s.rows) for s in done],
        model_id=model_id_for(task.id), info=task.info, dataset_name=dataset.name if dataset else task.dataset_id,
    )
    return Dispatch(FINALIZE_ROUND_TASK, job.model_dump(), policy.queue)


def record_round_report(
    session: Session, task: Task, round_: int, status: str, policy: Policy, *,
    metrics: dict | None = None, error: str | None = None, model_size: int | None = None,
) -> tuple[bool, list[Dispatch]]:
    """Record the finalizer's report. `finalizing` asks whether to proceed; `done` stores the metrics and
    starts the next round or registers the model; `error` ends the task."""
    from trainnet.db.tables import Model

    current = round_of(session, task, round_)
    if current is None:
        raise LookupError(f"task {task.id} has no round {round_}")
    if status == RoundStatus.FINALIZING:
        return current.status == RoundStatus.FINALIZING and task.status == TaskStatus.RUNNING, []
    if current.status == RoundStatus.DONE or task.status in (TaskStatus.DONE, TaskStatus.ERROR):
        return False, []
    if status == RoundStatus.ERROR:
        current.status = advance(RoundStatus, current.status, RoundStatus.ERROR)
        set_task_status(task, TaskStatus.ERROR, f"round {round_} could not be finalized: {error or 'unknown error'}")
        return True, [discard_dispatch(task, policy)]
    if status != RoundStatus.DONE:
        raise ValueError(f"unknown round status {status!r}")
    current.status = advance(RoundStatus, current.status, RoundStatus.DONE)
    current.metrics, current.finished_at = metrics, utcnow()
    rounds = int(task.params.get("rounds", 1))
    if round_ + 1 < rounds:
        shard_rows = [s.rows for s in shards_of(session, task, round_)]
        dispatches = start_round(session, task, round_ + 1, shard_rows, policy)
        update_progress(session, task)
        return True, dispatches
    model_id = model_id_for(task.id)
    if session.get(Model, model_id) is None:
        from trainnet.jobs import TaskLayout

        session.add(Model(
            id=model_id, task_id=task.id, model_type=task.model_type, metrics=metrics or {},
            size_bytes=model_size or 0, storage_key=TaskLayout.model_archive(model_id),
        ))
    task.model_id = model_id
    set_task_status(task, TaskStatus.DONE)
    return True, []


def discard_dispatch(task: Task, policy: Policy) -> Dispatch:
    """Delete the round weights of a task that ended in error; a done task's finalizer has deleted them already."""
    return Dispatch(DISCARD_ROUND_WEIGHTS_TASK, DiscardJob(task_id=task.id).model_dump(), policy.queue)


def over_time_limit(task: Task, now: datetime, policy: Policy) -> bool:
    """Whether a started task has run longer than the wall-time limit (time spent queued does not count)."""
    return bool(policy.time_limit_seconds) and task.started_at is not None and older(
        task.started_at, now, policy.time_limit_seconds)


def stop_over_time_limit(session: Session, task: Task, now: datetime, policy: Policy) -> list[Dispatch]:
    """End a task that ran past its wall-time limit: its round and unfinished shards stop with the reason and
    its round weights are discarded. A worker still training one of its shards is told not to proceed at its
    next progress report, and a late report of any kind changes nothing (the task has ended)."""
    elapsed = (now - task.started_at).total_seconds()
    reason = (f"the task exceeded the {policy.time_limit_seconds:g} s wall-time limit (it ran {elapsed:.0f} s); "
              "the server's TRAINNET_TASK_TIME_LIMIT sets it")
    current = round_of(session, task, task.current_round)
    if current is not None and current.status in (RoundStatus.RUNNING, RoundStatus.FINALIZING):
        current.status = advance(RoundStatus, current.status, RoundStatus.ERROR)
        for shard in shards_of(session, task, current.round):
            if shard.status in (ShardStatus.QUEUED, ShardStatus.RUNNING):
                shard.status = advance(ShardStatus, shard.status, ShardStatus.FAILED)
                shard.error, shard.finished_at = "stopped: the task exceeded its wall-time limit", now
    set_task_status(task, TaskStatus.ERROR, reason)
    return [discard_dispatch(task, policy)]


@dataclass(frozen=True)
class Fleet:
    """What the live workers (recent heartbeat) say: their names, the jobs they run, the queues with an idle one."""

    live: frozenset[str]
    busy: frozenset[str]
    idle_queues: frozenset[str]


def fleet(session: Session, now: datetime, policy: Policy) -> Fleet:
    cutoff = now - timedelta(seconds=policy.worker_timeout_seconds)
    workers = list(session.scalars(select(Worker).where(Worker.last_heartbeat >= cutoff)))
    return Fleet(live=frozenset(w.name for w in workers),
                 busy=frozenset(job for w in workers for job in (w.jobs or [])),
                 idle_queues=frozenset(q for w in workers if not w.jobs for q in (w.queues or [])))


def older(moment: datetime | None, now: datetime, seconds: float) -> bool:
    """Whether `moment` is more than `seconds` before `now` (never set counts as old)."""
    if moment is None:
        return True
    return (now - moment).total_seconds() > seconds


def sweep(session: Session, policy: Policy, min_shard_fraction: float, now: datetime | None = None):
    """Repair lost work: re-dispatch jobs whose worker died or whose message was lost, and finalize rounds
    whose trigger was lost. Duplicates are harmless (jobs are idempotent); this only bounds the delay.
    Tasks past their wall-time limit are ended instead."""
    now = now or utcnow()
    workers = fleet(session, now, policy)
    busy, live_names, idle = workers.busy, workers.live, policy.queue in workers.idle_queues
    dispatches: list[Dispatch] = []
    active = session.scalars(select(Task).where(Task.status.in_([TaskStatus.QUEUED, TaskStatus.RUNNING])))
    for task in list(active):
        task = lock_task(session, task.id)
        if task is None or task.status not in (TaskStatus.QUEUED, TaskStatus.RUNNING):
            continue
        if over_time_limit(task, now, policy):
            dispatches += stop_over_time_limit(session, task, now, policy)
            continue
        if task.prepared_at is None:
            lost = task.prepare_dispatched_at is None or (
                idle and job_key("prepare", task.id) not in busy
                and older(task.prepare_dispatched_at, now, policy.lease_seconds)
            )
            if lost:
                dispatches.append(prepare_dispatch(task, int(task.params.get("num_shards", 1)), policy))
            continue
        current = round_of(session, task, task.current_round)
        if current is None:
            continue
        if current.status == RoundStatus.RUNNING:
            for shard in shards_of(session, task, current.round):
                key = job_key("train_shard", task.id, shard.round, shard.index)
                dead = shard.status == ShardStatus.RUNNING and (
                    shard.worker not in live_names or older(shard.heartbeat_at, now, policy.lease_seconds)
                )
                lost = shard.status == ShardStatus.QUEUED and (
                    shard.dispatched_at is None
                    or (idle and key not in busy and older(shard.dispatched_at, now, policy.lease_seconds))
                )
                if dead or lost:
                    shard.status = advance(ShardStatus, shard.status, ShardStatus.QUEUED)
                    shard.progress = 0.0
                    dispatches.append(shard_dispatch(task, shard, policy))
            dispatches += maybe_finalize(session, task, current, policy, min_shard_fraction)
        elif current.status == RoundStatus.FINALIZING:
            key = job_key("finalize_round", task.id, current.round)
            if key not in busy and (current.finalize_dispatched_at is None or (
                idle and older(current.finalize_dispatched_at, now, policy.lease_seconds)
            )):
                done = [s for s in shards_of(session, task, current.round) if s.index in (current.shards_used or [])]
                dispatches.append(finalize_dispatch(session, task, current, done, policy))
    return dispatches
