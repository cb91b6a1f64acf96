"""Worker-side jobs of pipeline A around the pure trainer: prepare a task's initial model, train a shard.

Each job reads its inputs from storage, reports through a `Reporter` (the API client) and writes its output
to a fixed key, so a re-run overwrites the same artifact and re-reports the same completion.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from pathlib import Path
from typing import Protocol

from trainnet.data.examples import from_records
from trainnet.dispatch.messages import PrepareJob, ShardJob, TaskLayout
from trainnet.models.device import training_device
from trainnet.storage import Storage
from trainnet.training.baselines import baselines
from trainnet.training.batches import encode
from trainnet.training.model_io import TRAINNET_FILE, fetch_base, load_model, load_weights, save_weights
from trainnet.training.model_zoo import build_initial_model, get_model_type
from trainnet.training.params import TrainingParams
from trainnet.training.shard_trainer import train_shard, warm_up

log = logging.getLogger("trainnet.worker")


class NotWanted(Exception):
    """The API answered a progress report with `proceed: false`: the task ended or the round moved on."""


class Reporter(Protocol):
    def task_status(
        self, task_id: str, status: str, error: str | None = None, progress: float | None = None
    ) -> None: ...

    def prepared(self, task_id: str, info: dict) -> None: ...

    def shard(self, task_id: str, round_: int, index: int, status: str, **fields) -> bool: ...

    def round(self, task_id: str, round_: int, status: str, **fields) -> bool: ...


def prepare(job: PrepareJob, storage: Storage, bucket: str, reporter: Reporter) -> dict:
    """Build the task's initial model once (so every shard starts from the same weights) and store it; a
    random init first trains `warmup_epochs` on all training rows, so that the shards' copies share a basin."""
    layout = TaskLayout(job.task_id)
    reporter.task_status(job.task_id, "running")
    params = TrainingParams.from_dict(job.params)
    inputs, labels, used = training_rows(storage, bucket, layout, job.num_shards, len(job.label_names))
    model, preprocessor, info = build_initial_model(
        get_model_type(job.model_type),
        job.label_names,
        inputs if job.kind == "text" else [],
        base_model=job.base_model,
        image_size=params.resolved_image_size(pretrained=False),
        config_overrides=params.config_overrides,
    )
    if job.kind == "image":
        size = params.resolved_image_size(info.pretrained)
        preprocessor.size, preprocessor.crop_size = {"shortest_edge": size}, {"height": size, "width": size}
    record = {**info.to_dict(), "kind": job.kind, "label_names": job.label_names}
    record["baseline"] = task_baselines(storage, bucket, layout, job.kind, inputs, labels)
    if params.shared_warmup_epochs(info.pretrained) and labels:
        data = encode(job.kind, inputs, labels, preprocessor, params.max_length)
        last_report = [0.0]

        def on_progress(step: int, total: int, _loss: float) -> None:
            now = time.monotonic()
            if step == total or now - last_report[0] >= 1.0:
                last_report[0] = now
                reporter.task_status(job.task_id, "running", progress=100.0 * step / total)

        warmup = warm_up(model.to(training_device()), data, params, job.kind, info.pretrained, on_progress)
        record["warmup"] = {**warmup, "shards": used}
        model.cpu()
    with tempfile.TemporaryDirectory() as folder:
        model.save_pretrained(folder, safe_serialization=True)
        preprocessor.save_pretrained(folder)
        (Path(folder) / TRAINNET_FILE).write_text(json.dumps(record, indent=2))
        storage.delete_prefix(bucket, layout.base + "/")
        storage.put_dir(bucket, layout.base, Path(folder))
    reporter.prepared(job.task_id, record)
    log.info("task %s prepared: %s", job.task_id, info.note or f"pretrained from {info.weights_source}")
    return record


def task_baselines(
    storage: Storage, bucket: str, layout: TaskLayout, kind: str, inputs: list, labels: list[int]
) -> list[dict] | None:
    """The baselines of the task: fitted on the rows the model learns from (shards and validation split), scored on
    the held-out evaluation split. A failure is logged and leaves them out; it never stops the training."""
    try:
        train_inputs, train_labels = list(inputs), list(labels)
        if storage.exists(bucket, layout.validation_data):
            more_inputs, more_labels = from_records(storage.get_bytes(bucket, layout.validation_data))
            train_inputs += more_inputs
            train_labels += more_labels
        eval_inputs, eval_labels = from_records(storage.get_bytes(bucket, layout.eval_data))
        return baselines(kind, train_inputs, train_labels, eval_inputs, eval_labels)
    except Exception:
        log.exception("task %s: baselines could not be computed", layout.task_id)
        return None


def training_rows(storage: Storage, bucket: str, layout: TaskLayout, num_shards: int, num_labels: int):
    """Every shard's rows, for the tokenizer and the warm-up, and the shards they came from. A shard whose data
    cannot be read or names a label the model has no head for is left out: its own job fails on it and is
    isolated there, as any failing shard is (`min_shard_fraction`)."""
    inputs: list = []
    labels: list[int] = []
    used = []
    for index in range(num_shards):
        try:
            shard_inputs, shard_labels = from_records(storage.get_bytes(bucket, layout.shard_data(index)))
        except (ValueError, KeyError, TypeError) as exc:
            log.warning(
                "task %s shard %d: unreadable data left out of the initial model (%s)", layout.task_id, index, exc
            )
            continue
        if not all(0 <= label < num_labels for label in shard_labels):
            log.warning(
                "task %s shard %d: labels outside the task's %d left out of the initial model",
                layout.task_id,
                index,
                num_labels,
            )
            continue
        inputs += shard_inputs
        labels += shard_labels
        used.append(index)
    return inputs, labels, used


def run_shard(job: ShardJob, storage: Storage, bucket: str, reporter: Reporter, cache_dir: Path, worker: str):
    """Train one shard of one round from the round's global weights and store the new weights."""
    layout = TaskLayout(job.task_id)
    tag = f"task {job.task_id} round {job.round} shard {job.index}"
    if not reporter.shard(job.task_id, job.round, job.index, "running", progress=0.0, worker=worker):
        log.info("%s: no longer needed, skipping", tag)
        return None
    params = TrainingParams.from_dict(job.params)
    base = fetch_base(storage, bucket, layout.base, cache_dir)
    model, preprocessor = load_model(job.kind, base)
    if job.round > 0:
        model.load_state_dict(load_weights(storage.get_bytes(bucket, layout.global_weights(job.round))))
    model.to(training_device())
    inputs, labels = from_records(storage.get_bytes(bucket, layout.shard_data(job.index)))
    data = encode(job.kind, inputs, labels, preprocessor, params.max_length)
    last_report = [0.0]

    def on_progress(step: int, total: int, loss: float) -> None:
        now = time.monotonic()
        if step == 1 or step == total or now - last_report[0] >= 1.0:
            last_report[0] = now
            if not reporter.shard(
                job.task_id,
                job.round,
                job.index,
                "running",
                progress=100.0 * step / total,
                worker=worker,
                first_step=step == 1,
            ):
                raise NotWanted

    try:
        result = train_shard(
            model,
            data,
            epochs=params.local_epochs,
            learning_rate=params.resolved_learning_rate(job.kind, job.pretrained),
            batch_size=params.shard_batch_size(job.pretrained),
            weight_decay=params.weight_decay,
            seed=params.seed * 1000 + job.round * 100 + job.index,
            on_progress=on_progress,
            schedule=params.lr_schedule(job.pretrained, job.round),
            label_smoothing=params.label_smoothing,
            augment_shift=params.resolved_augment_shift(job.kind, job.pretrained),
        )
    except NotWanted:  # e.g. the task hit its wall-time limit: free this worker within about a second
        log.info("%s: stopped, the task has ended or the round has moved on", tag)
        return None
    storage.put_bytes(bucket, layout.shard_weights(job.round, job.index), save_weights(result.state_dict))
    reporter.shard(job.task_id, job.round, job.index, "done", worker=worker, train_loss=result.train_loss)
    log.info(
        "%s: %d rows, %d steps, loss %.4f, %.1fs", tag, result.rows, result.steps, result.train_loss, result.seconds
    )
    return result
