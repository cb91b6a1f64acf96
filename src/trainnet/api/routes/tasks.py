"""Training tasks: start one, follow it, download its model; and the reports workers send about it."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import StreamingResponse
from sqlalchemy import bindparam, select

from trainnet.api.deps import DispatcherDep, SessionDep, SettingsDep, StorageDep, WorkerAuth
from trainnet.api.routes.datasets import get_dataset, store_dataset
from trainnet.api.schemas import (
    Id,
    PreparationReport,
    Proceed,
    RoundReport,
    ShardReport,
    TaskCreated,
    TaskOut,
    TaskStatusOut,
    TaskStatusPatch,
    TaskSummary,
    TrainRequest,
)
from trainnet.data.examples import ColumnMapping
from trainnet.data.fetch import DatasetTooLarge, fetch_dataset
from trainnet.data.parsing import DatasetError
from trainnet.db.session import read_connection, run_read, session_scope
from trainnet.db.tables import Task
from trainnet.dispatch.messages import TaskLayout
from trainnet.dispatch.policy import Policy
from trainnet.federated import coordinator
from trainnet.federated.start import StoredDataset, start_task
from trainnet.status import DatasetStatus, TaskStatus
from trainnet.training.model_zoo import ModelSourceError, check_base_model, get_model_type, starting_weights
from trainnet.training.params import TrainingParams

router = APIRouter(tags=["tasks"])
OWN_DATASET_URL = re.compile(r"^(?:https?://[^/]+)?/api/datasets/(ds_[0-9a-f]{16})(?:/download)?/?$")


def training_params(req: TrainRequest, settings: Any) -> TrainingParams:
    """The request's parameters over the server's defaults, within the server's caps (422 above one)."""
    params = req.training_params(eval_fraction=settings.eval_fraction, min_shard_fraction=settings.min_shard_fraction)
    for name, value, cap in (
        ("num_shards", params.num_shards, settings.max_shards),
        ("rounds", params.rounds, settings.max_rounds),
        ("epochs", params.epochs, settings.max_epochs),
        ("warmup_epochs", params.warmup_epochs, settings.max_epochs),
    ):
        if isinstance(value, int) and value > cap:
            raise HTTPException(422, f"{name}={value} is above the limit of {cap}")
    return params


def dataset_id_of(req: TrainRequest, settings, storage) -> str:
    """The dataset to train on: an id, one of our own dataset URLs, or an http(s) URL fetched and stored."""
    if req.dataset_id:
        return req.dataset_id
    url = (req.dataset_url or "").strip()
    if match := OWN_DATASET_URL.match(url):
        return match.group(1)
    try:
        content, name = fetch_dataset(url, settings.max_upload_bytes, settings.allow_private_urls)
    except DatasetTooLarge as exc:
        raise HTTPException(413, str(exc)) from None
    except DatasetError as exc:
        raise HTTPException(422, str(exc)) from None
    return store_dataset(content, name, settings, storage).dataset_id


@router.post("/train", status_code=202, response_model=TaskCreated)
def start_training(req: TrainRequest, settings: SettingsDep, storage: StorageDep, dispatcher: DispatcherDep):
    """Validate the request and the data, cut the shards, and queue the task."""
    try:
        model_type = get_model_type(req.model_type)
        if req.base_model:
            check_base_model(req.base_model)
    except ModelSourceError as exc:
        raise HTTPException(422, str(exc)) from None
    params = training_params(req, settings)
    dataset_id = dataset_id_of(req, settings, storage)
    with session_scope(settings.sqlalchemy_url, read_only=True) as session:
        dataset = get_dataset(session, dataset_id)
        if not dataset.storage_key or dataset.status == DatasetStatus.DELETED:
            raise HTTPException(409, f"dataset {dataset_id} has no data (status {dataset.status})")
        stored, name = StoredDataset(dataset_id, dataset.storage_key), dataset.name
    mapping = ColumnMapping(
        label_column=req.label_column or "label", text_column=req.text_column, image_column=req.image_column
    )
    try:
        task_id, dispatch = start_task(settings, storage, stored, model_type, mapping, params, req.base_model)
    except DatasetError as exc:
        raise HTTPException(422, f"dataset {name}: {exc}") from None
    dispatcher.send([dispatch])
    return TaskCreated(task_id=task_id, status=TaskStatus.QUEUED)


def get_task(session, task_id: str, lock: bool = False) -> Task:
    task = coordinator.lock_task(session, task_id) if lock else session.get(Task, task_id)
    if task is None:
        raise HTTPException(404, f"task {task_id} not found")
    return task


def task_out(task: Task) -> TaskOut:
    info = {k: v for k, v in (task.info or {}).items() if k != "evaluation"}  # served once, as `evaluation`
    return TaskOut(
        task_id=task.id,
        status=task.status,
        progress=task.progress,
        model_type=task.model_type,
        kind=task.kind,
        dataset_id=task.dataset_id,
        created_at=task.created_at,
        updated_at=task.updated_at,
        error=task.error,
        params=task.params,
        info=info,
        label_names=task.label_names,
        current_round=task.current_round,
        shards=[s.__dict__ for s in task.shards],
        rounds=[{**r.__dict__, "shard_losses": shard_losses(task, r.round)} for r in task.rounds],
        model_id=task.model_id if task.status == TaskStatus.DONE else None,
        started_at=task.started_at,
        finished_at=task.finished_at,
        kept_round=info.get("kept_round"),
        averaged_rounds=info.get("averaged_rounds"),
        stop_reason=info.get("stop_reason"),
        baseline=info.get("baseline"),
        base_model=starting_weights(task.model_type, info, task.params.get("base_model")),
        evaluation=(task.info or {}).get("evaluation") if task.status == TaskStatus.DONE else None,
    )


def shard_losses(task: Task, round_: int) -> list[dict]:
    return [
        {"shard": s.index, "train_loss": s.train_loss}
        for s in task.shards
        if s.round == round_ and s.train_loss is not None
    ]


@router.get("/tasks", response_model=list[TaskSummary])
def list_tasks(session: SessionDep, limit: int = 100) -> list[TaskSummary]:
    query = select(Task).order_by(Task.created_at.desc()).limit(max(1, min(limit, 1000)))
    return [
        TaskSummary(
            task_id=t.id,
            status=t.status,
            progress=t.progress,
            model_type=t.model_type,
            kind=t.kind,
            dataset_id=t.dataset_id,
            created_at=t.created_at,
            updated_at=t.updated_at,
            error=t.error,
        )
        for t in session.scalars(query)
    ]


@router.get("/tasks/{task_id}", response_model=TaskOut)
def read_task(task_id: Id, session: SessionDep) -> TaskOut:
    return task_out(get_task(session, task_id))


# Built once: constructing the expression cost a quarter of a status poll's CPU (docs/benchmarks.md).
TASK_STATUS_QUERY = select(Task.id, Task.status, Task.progress, Task.error).where(Task.id == bindparam("task_id"))


def task_status(url: str, task_id: str) -> TaskStatusOut | None:
    with read_connection(url) as connection:
        row = connection.execute(TASK_STATUS_QUERY, {"task_id": task_id}).first()
    return TaskStatusOut(task_id=row.id, status=row.status, progress=row.progress, error=row.error) if row else None


@router.get("/tasks/{task_id}/status", response_model=TaskStatusOut)
async def read_task_status(task_id: Id, settings: SettingsDep) -> TaskStatusOut:
    """What every open task page polls: one indexed read, no ORM session (docs/benchmarks.md)."""
    status = await run_read(task_status, settings.sqlalchemy_url, task_id)
    if status is None:
        raise HTTPException(404, f"task {task_id} not found")
    return status


@router.get("/tasks/{task_id}/download_model")
def download_model(task_id: Id, session: SessionDep, storage: StorageDep, settings: SettingsDep):
    task = get_task(session, task_id)
    if task.status != TaskStatus.DONE or not task.model_id:
        raise HTTPException(409, f"task {task_id} is {task.status}: the model can be downloaded once it is done")
    key = TaskLayout.model_archive(task.model_id)
    return StreamingResponse(
        storage.open_stream(settings.models_bucket, key),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{task.model_id}.zip"'},
    )


# Worker-only reports. Each runs in one transaction with the task row locked, then sends what it dispatches.


@router.patch("/tasks/{task_id}/status", response_model=TaskStatusOut, dependencies=[WorkerAuth])
def patch_task_status(task_id: Id, report: TaskStatusPatch, settings: SettingsDep) -> TaskStatusOut:
    with session_scope(settings.sqlalchemy_url) as session:
        task = get_task(session, task_id, lock=True)
        if task.status not in (TaskStatus.DONE, TaskStatus.ERROR):
            if report.status == TaskStatus.ERROR:
                coordinator.set_task_status(task, TaskStatus.ERROR, report.error or "a worker reported an error")
            elif task.status == TaskStatus.QUEUED:
                coordinator.set_task_status(task, TaskStatus.RUNNING)
            if report.status == TaskStatus.RUNNING and report.progress is not None:
                coordinator.record_warmup_progress(task, report.progress)
        return TaskStatusOut(task_id=task.id, status=task.status, progress=task.progress, error=task.error)


@router.put("/tasks/{task_id}/preparation", response_model=Proceed, dependencies=[WorkerAuth])
def report_preparation(task_id: Id, report: PreparationReport, settings: SettingsDep, dispatcher: DispatcherDep):
    with session_scope(settings.sqlalchemy_url) as session:
        task = get_task(session, task_id, lock=True)
        shard_rows = task.info.get("shard_rows", [])
        info = {**task.info, **report.info}
        dispatches = coordinator.record_preparation(session, task, info, shard_rows, Policy.from_settings(settings))
    dispatcher.send(dispatches)
    return Proceed(proceed=True)


@router.put("/tasks/{task_id}/rounds/{round_}/shards/{index}", response_model=Proceed, dependencies=[WorkerAuth])
def report_shard(
    task_id: Id, round_: int, index: int, report: ShardReport, settings: SettingsDep, dispatcher: DispatcherDep
) -> Proceed:
    with session_scope(settings.sqlalchemy_url) as session:
        task = get_task(session, task_id, lock=True)
        try:
            proceed, dispatches = coordinator.record_shard_report(
                session,
                task,
                round_,
                index,
                report.status,
                Policy.from_settings(settings),
                progress=report.progress,
                worker=report.worker,
                train_loss=report.train_loss,
                error=report.error,
                first_step=report.first_step,
            )
        except LookupError as exc:
            raise HTTPException(404, str(exc)) from None
    dispatcher.send(dispatches)
    return Proceed(proceed=proceed)


@router.put("/tasks/{task_id}/rounds/{round_}", response_model=Proceed, dependencies=[WorkerAuth])
def report_round(
    task_id: Id, round_: int, report: RoundReport, settings: SettingsDep, dispatcher: DispatcherDep
) -> Proceed:
    with session_scope(settings.sqlalchemy_url) as session:
        task = get_task(session, task_id, lock=True)
        try:
            proceed, dispatches = coordinator.record_round_report(
                session,
                task,
                round_,
                report.status,
                Policy.from_settings(settings),
                metrics=report.metrics,
                error=report.error,
                model_size=report.model_size,
                final=report.final,
                kept_round=report.kept_round,
                stop_reason=report.stop_reason,
                evaluation=report.evaluation.model_dump() if report.evaluation else None,
            )
        except LookupError as exc:
            raise HTTPException(404, str(exc)) from None
    dispatcher.send(dispatches)
    return Proceed(proceed=proceed)
