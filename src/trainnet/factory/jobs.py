"""Pipeline B's jobs as the API starts them: the rows they create, the messages they send, kept on the row so
the sweep can re-send them (`recovery`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from trainnet.db.tables import Dataset, LoraJob, new_id, utcnow
from trainnet.dispatch.messages import (
    CPU_QUEUE,
    FINE_TUNE_LORA_TASK,
    GENERATE_DATASET_TASK,
    GPU_QUEUE,
    VALIDATE_DATASET_TASK,
    GenerateJob,
    LoraJobSpec,
    StoredFile,
    ValidateJob,
)
from trainnet.dispatch.sender import Dispatch
from trainnet.status import DatasetStatus


def record_dispatch(row: Dataset | LoraJob, dispatch: Dispatch, now: datetime | None = None) -> Dispatch:
    """Keep `dispatch` on its row (in the caller's transaction) so the sweep can re-send it."""
    row.job = {
        "name": dispatch.name,
        "payload": dispatch.payload,
        "queue": dispatch.queue,
        "as_kwargs": dispatch.as_kwargs,
    }
    row.dispatched_at = now or utcnow()
    return dispatch


def stored_file(dataset: Dataset) -> StoredFile:
    assert dataset.storage_key is not None
    return StoredFile(key=dataset.storage_key, name=f"data.{dataset.format}")


def start_generation(
    seed: Dataset, teacher_choice: str, teacher: dict[str, Any], config: dict[str, Any]
) -> tuple[Dataset, Dispatch]:
    """A new GENERATING dataset grown from `seed`, and the generate job that fills it."""
    dataset = Dataset(
        id=new_id("ds"),
        name=f"generated from {seed.name}",
        format="jsonl",
        status=DatasetStatus.GENERATING,
        seed_dataset_id=seed.id,
        params={"teacher": teacher_choice, **config},
        summary={"kind": "instructions"},
    )
    dataset.storage_key = f"{dataset.id}/data.jsonl"
    job = GenerateJob(
        dataset_id=dataset.id, seed=stored_file(seed), output_key=dataset.storage_key, teacher=teacher, config=config
    )
    payload = {"seed_dataset_id": seed.id, "job": job.model_dump()}
    return dataset, record_dispatch(dataset, Dispatch(GENERATE_DATASET_TASK, payload, CPU_QUEUE, as_kwargs=True))


def start_validation(dataset: Dataset, seed: Dataset | None, policy: dict[str, Any]) -> Dispatch:
    """The validate job of `dataset` (already moved to VALIDATING), compared against its seed when that still has
    data."""
    usable = seed is not None and seed.storage_key and seed.status != DatasetStatus.DELETED
    references = stored_file(seed) if usable and seed is not None else None
    job = ValidateJob(dataset_id=dataset.id, data=stored_file(dataset), references=references, policy=policy)
    payload = {"dataset_id": dataset.id, "job": job.model_dump()}
    return record_dispatch(dataset, Dispatch(VALIDATE_DATASET_TASK, payload, CPU_QUEUE, as_kwargs=True))


def start_lora(dataset: Dataset, base_model: str, n_trials: int, params: dict[str, Any]) -> tuple[LoraJob, Dispatch]:
    """A queued LoRA job on `dataset`, and its message to the GPU queue."""
    job = LoraJob(id=new_id("lora"), dataset_id=dataset.id, base_model=base_model, n_trials=n_trials, params=params)
    spec = LoraJobSpec(
        job_id=job.id,
        dataset_id=dataset.id,
        data=stored_file(dataset),
        base_model=base_model,
        n_trials=n_trials,
        config=params,
    )
    payload = {"dataset_id": spec.dataset_id, "base_model": base_model, "job": spec.model_dump()}
    return job, record_dispatch(job, Dispatch(FINE_TUNE_LORA_TASK, payload, GPU_QUEUE, as_kwargs=True))
