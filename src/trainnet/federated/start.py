"""Starting a training task: plan the stored dataset (held-out evaluation split and shards), write the splits,
record the task and return the prepare job to send. Nothing is left behind when a step fails."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trainnet.data.examples import ColumnMapping
from trainnet.data.parsing import parse_table
from trainnet.db.session import session_scope
from trainnet.db.tables import Task, new_id
from trainnet.dispatch.messages import TaskLayout
from trainnet.dispatch.policy import Policy
from trainnet.dispatch.sender import Dispatch
from trainnet.federated import coordinator
from trainnet.federated.plan import TaskPlan, plan_task
from trainnet.status import TaskStatus
from trainnet.storage import Storage
from trainnet.training.model_zoo import ModelType
from trainnet.training.params import TrainingParams


@dataclass(frozen=True)
class StoredDataset:
    """A dataset's id and where its file lies in the datasets bucket."""

    dataset_id: str
    key: str


def start_task(
    settings: Any,
    storage: Storage,
    dataset: StoredDataset,
    model_type: ModelType,
    mapping: ColumnMapping,
    params: TrainingParams,
    base_model: str | None,
) -> tuple[str, Dispatch]:
    """Plan, store and record a queued task; returns its id and the prepare dispatch. Raises DatasetError when the
    data does not fit the model."""
    table = parse_table(storage.get_bytes(settings.datasets_bucket, dataset.key), dataset.key, settings.max_columns)
    plan = plan_task(table, model_type.kind, mapping, params)
    resolved = params.resolve(plan.shard_rows)
    task_id = new_id("task")
    layout = TaskLayout(task_id)
    try:
        storage.put_bytes(settings.artifacts_bucket, layout.eval_data, plan.eval_records())
        for i in range(len(plan.shards)):
            storage.put_bytes(settings.artifacts_bucket, layout.shard_data(i), plan.shard_records(i))
        if plan.validation_indices:
            storage.put_bytes(settings.artifacts_bucket, layout.validation_data, plan.validation_records())
        with session_scope(settings.sqlalchemy_url) as session:
            task = Task(
                id=task_id,
                model_type=model_type.name,
                kind=model_type.kind,
                dataset_id=dataset.dataset_id,
                params={**resolved.to_dict(), "base_model": base_model},
                label_names=plan.examples.label_names,
                info=plan_info(params, resolved, plan),
            )
            session.add(task)
            session.flush()
            dispatch = coordinator.prepare_dispatch(task, resolved.num_shards, Policy.from_settings(settings))
            coordinator.set_task_status(task, TaskStatus.QUEUED)
    except Exception:
        storage.delete_prefix(settings.artifacts_bucket, layout.root + "/")
        raise
    return task_id, dispatch


def plan_info(asked: TrainingParams, resolved: TrainingParams, plan: TaskPlan) -> dict[str, Any]:
    """What the task records of its plan: the rows of each split, and with early stopping the budget it runs to."""
    info: dict[str, Any] = {"shard_rows": plan.shard_rows, "eval_rows": len(plan.eval_indices)}
    if resolved.early_stopping:
        info["budget"] = {
            "max_rounds": resolved.round_count,
            "epochs": resolved.local_epochs,
            "epochs_auto": asked.epochs == "auto",
            "patience": resolved.patience,
            "min_delta": resolved.min_delta,
            "time_budget_minutes": resolved.time_budget_minutes,
            "validation_rows": len(plan.validation_indices),
        }
    return info
