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
from trainnet.federated import rules
from trainnet.federated.average import average_weights
from trainnet.models.device import training_device
from trainnet.storage import Storage
from trainnet.training.batches import encode
from trainnet.training.evaluate import evaluate, has_batchnorm, predict_probabilities, recalibrate_batchnorm
from trainnet.training.model_io import (
    EVALUATION_FILE,
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
from trainnet.training.report import evaluation_report

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
    training_rows = None
    if params.recalibrate_batchnorm and has_batchnorm(model):
        inputs, labels = [], []
        for shard in job.shards:
            shard_inputs, shard_labels = from_records(storage.get_bytes(artifacts, layout.shard_data(shard.index)))
            inputs += shard_inputs
            labels += shard_labels
        training_rows = encode(job.kind, inputs, labels, preprocessor, params.max_length)
        recalibrate_batchnorm(model, training_rows)

    def split(key: str):
        inputs, labels = from_records(storage.get_bytes(artifacts, key))
        return inputs, labels, encode(job.kind, inputs, labels, preprocessor, params.max_length)

    eval_inputs, eval_labels, eval_rows = split(layout.eval_data)
    metrics: dict[str, Any] = {
        **evaluate(model, eval_rows),
        "round": job.round,
        "shards_used": [s.index for s in job.shards],
    }
    decision = rules.after_round(job.round, job.rounds_total, None)
    history = None
    if job.validation_history is not None:
        validation_rows = split(layout.validation_data)[2]
        metrics["validation"] = evaluate(model, validation_rows)
        history = [rules.RoundScore(h.accuracy, h.loss) for h in job.validation_history]
        history.append(rules.RoundScore(metrics["validation"]["accuracy"], metrics["validation"]["loss"]))
        decision = rules.after_round(
            job.round,
            job.rounds_total,
            history,
            params.patience,
            params.min_delta,
            job.elapsed_seconds,
            job.seconds_per_round,
            params.time_budget_minutes * 60,
        )
    log.info("task %s round %d: %s (%s)", job.task_id, job.round, json.dumps(metrics), decision)
    weights = save_weights({k: v.cpu() for k, v in model.state_dict().items()})
    if not decision.stop:
        storage.put_bytes(artifacts, layout.global_weights(job.round + 1), weights)
    if history is not None:
        _keep_best_rounds(storage, artifacts, layout, history, params.soup_rounds, weights)
    size, evaluation = None, None
    if decision.stop:
        ranked = rules.top_rounds(history, params.soup_rounds) if history is not None else [job.round]
        if len(ranked) > 1:
            soup = _mix_soup(model, storage, artifacts, layout, ranked, history, training_rows, validation_rows)
            metrics["model"] = {
                **evaluate(model, eval_rows),
                "validation": evaluate(model, validation_rows),
                "rounds": soup,
            }
            log.info("task %s: the model averages rounds %s: %s", job.task_id, soup, json.dumps(metrics["model"]))
        elif ranked[0] != job.round:
            model.load_state_dict(load_weights(storage.get_bytes(artifacts, layout.kept_weights(ranked[0]))))
        label_names = [model.config.id2label[i] for i in range(model.config.num_labels)]
        probabilities = predict_probabilities(model, eval_rows).numpy()
        evaluation = evaluation_report(eval_labels, probabilities, label_names, job.kind, eval_inputs)
        model.cpu()
        if job.kind == "text":  # plain transformers truncates a long text where training did
            preprocessor.model_max_length = min(preprocessor.model_max_length, params.max_length)
        size = _store_final_model(
            job, model, preprocessor, base, metrics, decision, evaluation, storage, buckets["models"], reporter
        )
    accepted = reporter.round(
        job.task_id,
        job.round,
        "done",
        metrics=metrics,
        model_size=size,
        final=decision.stop,
        kept_round=decision.kept_round,
        stop_reason=decision.reason,
        evaluation=evaluation,
    )
    if not accepted and reporter.task_state(job.task_id) == "error":
        # The task ended while this ran (e.g. its wall-time limit): nothing will use what was just stored.
        # (Refused because a duplicate finalizer got there first, the same keys hold the registered results.)
        log.info("task %s round %d: the task ended meanwhile, removing this round's output", job.task_id, job.round)
        storage.delete_prefix(artifacts, layout.rounds_prefix)
        if size is not None:
            storage.delete(buckets["models"], TaskLayout.model_archive(job.model_id))
            storage.delete(buckets["models"], TaskLayout.model_evaluation(job.model_id))
        return None
    storage.delete_prefix(artifacts, layout.round_prefix(job.round))
    if decision.stop:
        storage.delete_prefix(artifacts, layout.rounds_prefix)
    return metrics


def _keep_best_rounds(storage, bucket, layout: TaskLayout, history: list[rules.RoundScore], k: int, weights: bytes):
    """Keep the weights of the `k` best rounds so far (this one's among them when it is), deleting a round that
    dropped out; the rule decides from the scores alone, so a re-run keeps the same rounds."""
    round_ = len(history) - 1
    keep = rules.top_rounds(history, k)
    if round_ in keep:
        storage.put_bytes(bucket, layout.kept_weights(round_), weights)
    for dropped in set(rules.top_rounds(history[:-1], k)) - set(keep):
        storage.delete(bucket, layout.kept_weights(dropped))


def _mix_soup(model, storage, bucket, layout, ranked, history, training_rows, validation_rows) -> list[int]:
    """Load into `model` the greedy soup of the `ranked` rounds (best first) and return the rounds it averages."""
    states = {r: load_weights(storage.get_bytes(bucket, layout.kept_weights(r))) for r in ranked}

    def mix(rounds: list[int]) -> None:
        model.load_state_dict(average_weights([states[r] for r in rounds], [1.0] * len(rounds)))
        if training_rows is not None:
            recalibrate_batchnorm(model, training_rows)

    def score(rounds: list[int]) -> float:
        mix(rounds)
        return evaluate(model, validation_rows)["accuracy"]

    soup = rules.greedy_soup(ranked, history[ranked[0]].accuracy, score)
    mix(soup)
    return soup


def _store_final_model(
    job: RoundJob,
    model,
    preprocessor,
    base: Path,
    metrics: dict,
    decision: rules.StopDecision,
    evaluation: dict,
    storage,
    bucket,
    reporter,
):
    """Write the kept round's model as a Hugging Face directory, zipped, with its metrics, evaluation report and
    model card; and the report beside the zip."""
    history = reporter.round_metrics(job.task_id)[: job.round] + [metrics]
    kept = history[decision.kept_round] if decision.kept_round < len(history) else metrics
    soup = metrics.get("model")
    info = json.loads((base / TRAINNET_FILE).read_text())
    all_metrics = {
        **{k: (soup or kept)[k] for k in ("accuracy", "macro_f1", "loss")},
        "kept_round": decision.kept_round,
        "averaged_rounds": soup["rounds"] if soup else [decision.kept_round],
        "stop_reason": decision.reason,
        "rounds": history,
    }
    card = model_card(
        job.model_type, info, all_metrics, job.params, job.dataset_name, info.get("label_names", []), evaluation
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_model_dir(model, preprocessor, Path(tmp) / "model", all_metrics, card, evaluation)
        archive = zip_dir(folder, Path(tmp) / "model.zip")
        storage.put_bytes(bucket, TaskLayout.model_evaluation(job.model_id), (folder / EVALUATION_FILE).read_bytes())
        storage.put_file(bucket, TaskLayout.model_archive(job.model_id), archive)
        return archive.stat().st_size
