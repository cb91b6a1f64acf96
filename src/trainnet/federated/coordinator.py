"""The coordinator: the API-side bookkeeping of federated training.

It records what workers report (shard progress and completion, round results) idempotently in the
database and decides what to dispatch next. It never talks to the broker itself: each function returns the
`Dispatch`es to send, and the caller sends them after the transaction commits. The decisions themselves
(progress, whether a round can be finalized) are the pure functions of `rules`; `recovery` repairs what a lost
message or a dead worker left behind.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from trainnet.db.tables import Dataset, Model, Round, Shard, Task, utcnow
from trainnet.dispatch.messages import (
    DISCARD_ROUND_WEIGHTS_TASK,
    FINALIZE_ROUND_TASK,
    PREPARE_TASK,
    TRAIN_SHARD_TASK,
    DiscardJob,
    PrepareJob,
    RoundJob,
    ShardInRound,
    ShardJob,
    TaskLayout,
    ValidationScore,
)
from trainnet.dispatch.policy import Policy
from trainnet.dispatch.sender import Dispatch
from trainnet.federated import rules
from trainnet.status import RoundStatus, ShardStatus, TaskStatus, advance
from trainnet.training.params import TrainingParams


def model_id_for(task_id: str) -> str:
    return "model_" + task_id.split("_", 1)[-1]


def task_id_for(model_id: str) -> str:
    """The task whose model is (or will be) `model_id`."""
    return "task_" + model_id.split("_", 1)[-1]


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
        task_id=task.id,
        model_type=task.model_type,
        kind=task.kind,
        base_model=task.params.get("base_model"),
        label_names=task.label_names,
        num_shards=num_shards,
        params=task.params,
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
        task_id=task.id,
        round=shard.round,
        index=shard.index,
        attempt=shard.attempts,
        kind=task.kind,
        params=task.params,
        pretrained=bool(task.info.get("pretrained")),
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
        task.progress = rules.warmup_progress(TrainingParams.from_dict(task.params).warmup_share(), progress)


def shard_state(shard: Shard) -> rules.ShardState:
    return rules.ShardState(
        index=shard.index,
        status=shard.status,
        rows=shard.rows,
        progress=shard.progress,
        worker=shard.worker,
        heartbeat_at=shard.heartbeat_at,
        dispatched_at=shard.dispatched_at,
    )


def update_progress(session: Session, task: Task) -> None:
    current = round_of(session, task, task.current_round)
    shards = shards_of(session, task, task.current_round)
    if current is None or not shards:
        return
    params = TrainingParams.from_dict(task.params)
    warmup = params.warmup_share() if (task.info or {}).get("warmup") else 0.0
    progress = rules.task_progress(
        params.round_count,
        task.current_round,
        [s.progress for s in shards],
        current.status == RoundStatus.DONE,
        warmup,
    )
    if params.early_stopping and task.started_at is not None:  # the time budget bounds an early-stopped run
        spent = (utcnow() - task.started_at).total_seconds() / (60 * params.time_budget_minutes)
        progress = max(progress, round(min(99.0, 100 * spent), 1))
    task.progress = progress


def record_shard_report(
    session: Session,
    task: Task,
    round_: int,
    index: int,
    status: str,
    policy: Policy,
    *,
    progress: float | None = None,
    worker: str | None = None,
    train_loss: float | None = None,
    error: str | None = None,
    first_step: bool = False,
) -> tuple[bool, list[Dispatch]]:
    """Record a worker's report on one shard. Returns (proceed, dispatches): proceed is False when the
    work is no longer wanted (the shard is done already, its round has moved on, or the task ended)."""
    shard = session.scalar(select(Shard).where(Shard.task_id == task.id, Shard.round == round_, Shard.index == index))
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
    return True, maybe_finalize(session, task, current, policy)


def maybe_finalize(session: Session, task: Task, current: Round, policy: Policy) -> list[Dispatch]:
    """When every shard of the round has finished, hand the round to the finalizer (once), or end the task
    if the shards that succeeded cover less than the task's `min_shard_fraction` of the rows."""
    if current.status != RoundStatus.RUNNING:
        return []
    shards = shards_of(session, task, current.round)
    min_fraction = TrainingParams.from_dict(task.params).min_shard_fraction
    outcome = rules.round_outcome([shard_state(s) for s in shards], min_fraction)
    if outcome is None:
        return []
    current.rows_covered, current.shards_used = outcome.rows_covered, outcome.shards_used
    if not outcome.finalize:
        failures = "; ".join(f"shard {s.index}: {s.error}" for s in shards if s.status == ShardStatus.FAILED)
        current.status = advance(RoundStatus, current.status, RoundStatus.ERROR)
        set_task_status(
            task,
            TaskStatus.ERROR,
            f"round {current.round}: shards covering only {outcome.rows_covered:.0%} of the training rows succeeded "
            f"(at least {min_fraction:.0%} needed). {failures}",
        )
        return [discard_dispatch(task, policy)]
    current.status = advance(RoundStatus, current.status, RoundStatus.FINALIZING)
    done = [s for s in shards if s.index in outcome.shards_used]
    return [finalize_dispatch(session, task, current, done, policy)]


def finalize_dispatch(session: Session, task: Task, current: Round, done: list[Shard], policy: Policy) -> Dispatch:
    now = current.finalize_dispatched_at = utcnow()
    dataset = session.get(Dataset, task.dataset_id)
    params = TrainingParams.from_dict(task.params)
    history = None
    if params.early_stopping:
        earlier = [round_of(session, task, r) for r in range(current.round)]
        history = [
            ValidationScore(**{k: (r.metrics or {}).get("validation", {}).get(k, 0.0) for k in ("accuracy", "loss")})
            for r in earlier
            if r is not None
        ]
    started = task.started_at or now
    prepared = task.prepared_at or started
    job = RoundJob(
        task_id=task.id,
        round=current.round,
        rounds_total=params.round_count,
        validation_history=history,
        elapsed_seconds=(now - started).total_seconds(),
        seconds_per_round=(now - prepared).total_seconds() / (current.round + 1),
        kind=task.kind,
        model_type=task.model_type,
        params=task.params,
        shards=[ShardInRound(index=s.index, rows=s.rows) for s in done],
        model_id=model_id_for(task.id),
        info=task.info,
        dataset_name=dataset.name if dataset else task.dataset_id,
    )
    return Dispatch(FINALIZE_ROUND_TASK, job.model_dump(), policy.queue)


def record_round_report(
    session: Session,
    task: Task,
    round_: int,
    status: str,
    policy: Policy,
    *,
    metrics: dict | None = None,
    error: str | None = None,
    model_size: int | None = None,
    final: bool | None = None,
    kept_round: int | None = None,
    stop_reason: str | None = None,
    evaluation: dict | None = None,
) -> tuple[bool, list[Dispatch]]:
    """Record the finalizer's report. `finalizing` asks whether to proceed; `done` stores the metrics and
    starts the next round, or, when the finalizer stopped training (`final`: the last round, or early stopping),
    registers the model of `kept_round` and its `evaluation` report; `error` ends the task."""
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
    if final is None:  # a finalizer from before early stopping
        final = round_ + 1 >= TrainingParams.from_dict(task.params).round_count
    if not final:
        shard_rows = [s.rows for s in shards_of(session, task, round_)]
        dispatches = start_round(session, task, round_ + 1, shard_rows, policy)
        update_progress(session, task)
        return True, dispatches
    kept = round_ if kept_round is None else kept_round
    kept_row = round_of(session, task, kept)
    kept_metrics = (kept_row.metrics if kept_row is not None else None) or metrics or {}
    task.info = {**(task.info or {}), "kept_round": kept, "stop_reason": stop_reason, "evaluation": evaluation}
    soup = (metrics or {}).get("model")
    if soup:  # the model averages the best rounds: its own scores, not the kept round's
        task.info["averaged_rounds"] = soup["rounds"]
        kept_metrics = {**kept_metrics, **{k: v for k, v in soup.items() if k != "rounds"}}
        kept_metrics["averaged_rounds"] = soup["rounds"]
    model_id = model_id_for(task.id)
    if session.get(Model, model_id) is None:
        session.add(
            Model(
                id=model_id,
                task_id=task.id,
                model_type=task.model_type,
                metrics=kept_metrics,
                size_bytes=model_size or 0,
                storage_key=TaskLayout.model_archive(model_id),
            )
        )
    task.model_id = model_id
    set_task_status(task, TaskStatus.DONE)
    return True, []


def discard_dispatch(task: Task, policy: Policy) -> Dispatch:
    """Delete the round weights of a task that ended in error; a done task's finalizer has deleted them already."""
    return Dispatch(DISCARD_ROUND_WEIGHTS_TASK, DiscardJob(task_id=task.id).model_dump(), policy.queue)
