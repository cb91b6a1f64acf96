"""The finalizer: average a round's shard weights, evaluate the average, and either store it as the next
round's starting point or write the final model. Idempotent: it writes fixed keys and reports the same result."""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path
from typing import Any

from trainnet.data.examples import from_records
from trainnet.dispatch.messages import RoundJob, TaskLayout
from trainnet.federated.average import average_weights
from trainnet.models.device import training_device
from trainnet.storage import Storage
from trainnet.training.batches import encode
from trainnet.training.evaluate import evaluate, has_batchnorm, recalibrate_batchnorm
from trainnet.training.model_io import (
    TRAINNET_FILE,
    fetch_base,
    load_model,
    load_weights,
    model_card,
    save_weights,
    write_model_dir,
    zip_dir,
)
from trainnet.training.params import TrainingParams

log = logging.getLogger("trainnet.worker")


def finalize_round(job: RoundJob, storage: Storage, buckets: dict, reporter, cache_dir: Path) -> dict | None:
    """Run the finalizer for one round. `buckets` names the artifacts and models buckets."""
    layout = TaskLayout(job.task_id)
    artifacts = buckets["artifacts"]
    if not reporter.round(job.task_id, job.round, "finalizing"):
        log.info("task %s round %d: already finalized, skipping", job.task_id, job.round)
        return None
    params = TrainingParams.from_dict(job.params)
    base = fetch_base(storage, artifacts, layout.base, cache_dir)
    model, preprocessor = load_model(job.kind, base)
    state_dicts = [
        load_weights(storage.get_bytes(artifacts, layout.shard_weights(job.round, s.index))) for s in job.shards
    ]
    model.load_state_dict(average_weights(state_dicts, [s.rows for s in job.shards]))
    del state_dicts
    model.to(training_device())
    if params.recalibrate_batchnorm and has_batchnorm(model):
        inputs, labels = [], []
        for shard in job.shards:
            shard_inputs, shard_labels = from_records(storage.get_bytes(artifacts, layout.shard_data(shard.index)))
            inputs += shard_inputs
            labels += shard_labels
        recalibrate_batchnorm(model, encode(job.kind, inputs, labels, preprocessor, params.max_length))
    eval_inputs, eval_labels = from_records(storage.get_bytes(artifacts, layout.eval_data))
    scores = evaluate(model, encode(job.kind, eval_inputs, eval_labels, preprocessor, params.max_length))
    metrics: dict[str, Any] = {**scores, "round": job.round, "shards_used": [s.index for s in job.shards]}
    log.info("task %s round %d: %s", job.task_id, job.round, json.dumps(metrics))
    size = None
    if job.round + 1 < job.rounds_total:
        storage.put_bytes(artifacts, layout.global_weights(job.round + 1), save_weights(model.cpu().state_dict()))
    else:
        model.cpu()
        size = _store_final_model(job, model, preprocessor, base, metrics, storage, buckets["models"], reporter)
    accepted = reporter.round(job.task_id, job.round, "done", metrics=metrics, model_size=size)
    if not accepted and reporter.task_state(job.task_id) == "error":
        # The task ended while this ran (e.g. its wall-time limit): nothing will use what was just stored.
        # (Refused because a duplicate finalizer got there first, the same keys hold the registered results.)
        log.info("task %s round %d: the task ended meanwhile, removing this round's output", job.task_id, job.round)
        storage.delete_prefix(artifacts, layout.rounds_prefix)
        if size is not None:
            storage.delete(buckets["models"], TaskLayout.model_archive(job.model_id))
        return None
    storage.delete_prefix(artifacts, layout.round_prefix(job.round))
    if job.round + 1 >= job.rounds_total:
        storage.delete_prefix(artifacts, layout.rounds_prefix)
    return metrics


def _store_final_model(job: RoundJob, model, preprocessor, base: Path, metrics: dict, storage, bucket, reporter):
    history = reporter.round_metrics(job.task_id) + [metrics]
    info = json.loads((base / TRAINNET_FILE).read_text())
    all_metrics = {**{k: metrics[k] for k in ("accuracy", "macro_f1", "loss")}, "rounds": history}
    card = model_card(job.model_type, info, all_metrics, job.params, job.dataset_name, info.get("label_names", []))
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_model_dir(model, preprocessor, Path(tmp) / "model", all_metrics, card)
        archive = zip_dir(folder, Path(tmp) / "model.zip")
        storage.put_file(bucket, TaskLayout.model_archive(job.model_id), archive)
        return archive.stat().st_size
