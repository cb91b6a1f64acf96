"""Celery tasks: thin wrappers that decode a job message, call the library and report failures."""

from __future__ import annotations

import logging

from celery import signals

from trainnet.data.parsing import DatasetError
from trainnet.dispatch.messages import (
    DISCARD_ROUND_WEIGHTS_TASK,
    FINALIZE_ROUND_TASK,
    FINE_TUNE_LORA_TASK,
    GENERATE_DATASET_TASK,
    PREPARE_TASK,
    TRAIN_SHARD_TASK,
    VALIDATE_DATASET_TASK,
    DiscardJob,
    GenerateJob,
    LoraJobSpec,
    PrepareJob,
    RoundJob,
    ShardJob,
    TaskLayout,
    ValidateJob,
)
from trainnet.dispatch.policy import job_key
from trainnet.federated.finalizer import finalize_round
from trainnet.generate.runner import run_generation
from trainnet.generate.seeds import SeedFileError
from trainnet.lora.runner import run_lora_job
from trainnet.training.model_zoo import ModelSourceError
from trainnet.training.runner import prepare, run_shard
from trainnet.validation.runner import run_validation
from trainnet.worker.api_client import ApiError
from trainnet.worker.celery_app import app
from trainnet.worker.context import context

log = logging.getLogger("trainnet.worker")
PERMANENT = (DatasetError, SeedFileError, ModelSourceError, ApiError, ValueError, KeyError, TypeError)


def _retry_or_fail(task, exc: Exception, fail) -> None:
    """Transient errors are retried with exponential backoff; permanent ones, or the last retry, report."""
    retries = context.settings.shard_max_retries
    if not isinstance(exc, PERMANENT) and task.request.retries < retries:
        log.warning(
            "%s failed (%s: %s); retry %d/%d", task.name, type(exc).__name__, exc, task.request.retries + 1, retries
        )
        raise task.retry(exc=exc, countdown=min(2**task.request.retries, 30))
    log.exception("%s failed permanently", task.name)
    fail(f"{type(exc).__name__}: {exc}")


@app.task(name=PREPARE_TASK, bind=True)
def prepare_task(self, job: dict) -> None:
    spec = PrepareJob(**job)
    with context.running(job_key("prepare", spec.task_id)):
        try:
            prepare(spec, context.storage, context.settings.artifacts_bucket, context.api)
        except Exception as exc:
            _retry_or_fail(self, exc, lambda reason: context.api.task_status(spec.task_id, "error", reason))


@app.task(name=TRAIN_SHARD_TASK, bind=True)
def train_shard_task(self, job: dict) -> None:
    spec = ShardJob(**job)
    with context.running(job_key("train_shard", spec.task_id, spec.round, spec.index)):
        try:
            run_shard(
                spec,
                context.storage,
                context.settings.artifacts_bucket,
                context.api,
                context.settings.cache_dir,
                context.name,
            )
        except Exception as exc:
            _retry_or_fail(
                self,
                exc,
                lambda reason: context.api.shard(
                    spec.task_id, spec.round, spec.index, "failed", error=reason, worker=context.name
                ),
            )


@app.task(name=FINALIZE_ROUND_TASK, bind=True)
def finalize_round_task(self, job: dict) -> None:
    spec = RoundJob(**job)
    with context.running(job_key("finalize_round", spec.task_id, spec.round)):
        try:
            finalize_round(spec, context.storage, context.buckets, context.api, context.settings.cache_dir)
        except Exception as exc:
            _retry_or_fail(self, exc, lambda reason: context.api.round(spec.task_id, spec.round, "error", error=reason))


@app.task(name=DISCARD_ROUND_WEIGHTS_TASK)
def discard_round_weights_task(job: dict) -> None:
    """Delete the round weights of a task that ended in error."""
    spec = DiscardJob(**job)
    with context.running(job_key("discard", spec.task_id)):
        context.storage.delete_prefix(context.settings.artifacts_bucket, TaskLayout(spec.task_id).rounds_prefix)


@app.task(name=GENERATE_DATASET_TASK, bind=True)
def generate_dataset_task(self, seed_dataset_id: str, job: dict) -> None:
    """Self-instruct generation of a new dataset from the seed dataset `seed_dataset_id`."""
    spec = GenerateJob(**job)
    with context.running(job_key("generate", spec.dataset_id)):
        try:
            run_generation(
                spec,
                context.storage,
                context.settings.datasets_bucket,
                context.api,
                context.settings.cache_dir,
                context.settings.llama_check_timeout_s,
            )
        except Exception as exc:
            _retry_or_fail(self, exc, lambda reason: context.api.dataset(spec.dataset_id, "error", error=reason))


@app.task(name=VALIDATE_DATASET_TASK, bind=True)
def validate_dataset_task(self, dataset_id: str, job: dict) -> None:
    """Score dataset `dataset_id` and report READY_FOR_FINE_TUNING or DELETED."""
    spec = ValidateJob(**job)
    with context.running(job_key("validate", dataset_id)):
        try:
            run_validation(spec, context.storage, context.settings.datasets_bucket, context.api)
        except Exception as exc:
            _retry_or_fail(self, exc, lambda reason: context.api.dataset(dataset_id, "error", error=reason))


@app.task(name=FINE_TUNE_LORA_TASK, bind=True)
def fine_tune_lora_task(self, dataset_id: str, base_model: str, job: dict) -> None:
    """LoRA fine-tuning of `base_model` on dataset `dataset_id` with Bayesian search (runs on gpu_queue)."""
    spec = LoraJobSpec(**job)
    with context.running(job_key("lora", spec.job_id)):
        try:
            run_lora_job(
                spec,
                context.storage,
                context.buckets,
                context.api,
                context.settings.sqlalchemy_url,
                context.settings.cache_dir,
            )
        except Exception as exc:
            _retry_or_fail(self, exc, lambda reason: context.api.lora(spec.job_id, "error", error=reason))


@signals.worker_init.connect
def _worker_init(sender=None, **_):
    """Import the heavy libraries and size torch's thread pool before the first job (time to first step)."""
    import os

    import torch
    import transformers

    logging.getLogger("httpx").setLevel(logging.WARNING)
    transformers.utils.logging.disable_progress_bar()
    transformers.utils.logging.set_verbosity_error()
    threads = context.settings.torch_threads or max(1, (os.cpu_count() or 1))
    torch.set_num_threads(threads)
    from transformers import AutoModelForImageClassification, AutoModelForSequenceClassification  # noqa: F401


@signals.worker_ready.connect
def _worker_ready(sender=None, **_):
    context.name = sender.hostname
    context.queues = sorted(q.name for q in sender.app.amqp.queues.consume_from.values())
    context.start_heartbeat()
    log.info("worker %s ready on %s", context.name, ", ".join(context.queues))


@signals.worker_shutdown.connect
def _worker_shutdown(sender=None, **_):
    context.stop_heartbeat()
