"""The finalizer on local storage with a recording reporter instead of the API."""

import pytest

from tests.training.test_runner import BUCKET, Reporter, prepared_task
from trainnet.dispatch.messages import RoundJob, ShardInRound, TaskLayout
from trainnet.federated.finalizer import finalize_round
from trainnet.training.runner import run_shard

MODELS = "models"


class EndedMeanwhile(Reporter):
    """Lets the finalizer start, then answers its `done` report as the API does for a task that ended `error`
    (e.g. at its wall-time limit) while the round was being averaged."""

    def __init__(self, task_state: str):
        super().__init__()
        self.state = task_state

    def round(self, task_id, round_, status, **fields):
        return status == "finalizing"

    def round_metrics(self, task_id):
        return []

    def task_state(self, task_id):
        return self.state


def finalize_last_round(tmp_path, reporter):
    storage, shard = prepared_task(tmp_path, epochs=1)
    layout = TaskLayout("task_1")
    storage.put_bytes(BUCKET, layout.eval_data, storage.get_bytes(BUCKET, layout.shard_data(0)))
    result = run_shard(shard, storage, BUCKET, Reporter(), tmp_path / "cache", "w")
    job = RoundJob(
        task_id="task_1",
        round=0,
        rounds_total=1,
        kind="text",
        model_type="distilbert",
        params=shard.params,
        shards=[ShardInRound(index=0, rows=result.rows)],
        model_id="model_1",
        info={},
        dataset_name="reviews.csv",
    )
    metrics = finalize_round(job, storage, {"artifacts": BUCKET, "models": MODELS}, reporter, tmp_path / "cache")
    return storage, metrics


def test_a_round_finalized_after_its_task_ended_in_error_leaves_no_model_and_no_weights(tmp_path):
    storage, metrics = finalize_last_round(tmp_path, EndedMeanwhile("error"))
    assert metrics is None
    assert not storage.exists(MODELS, TaskLayout.model_archive("model_1"))
    assert not storage.exists(MODELS, TaskLayout.model_evaluation("model_1"))
    assert not storage.exists(BUCKET, TaskLayout("task_1").shard_weights(0, 0))


def test_a_duplicate_finalizer_refused_for_a_done_task_keeps_the_registered_model(tmp_path):
    storage, _ = finalize_last_round(tmp_path, EndedMeanwhile("done"))
    assert storage.exists(MODELS, TaskLayout.model_archive("model_1"))


class Recording(Reporter):
    def __init__(self):
        super().__init__()
        self.rounds = []

    def round(self, task_id, round_, status, **fields):
        self.rounds.append((status, fields))
        return True

    def round_metrics(self, task_id):
        return []


def test_the_last_round_stores_the_kept_models_evaluation_in_the_zip_beside_it_and_in_its_report(tmp_path):
    import io
    import json
    import zipfile

    reporter = Recording()
    storage, metrics = finalize_last_round(tmp_path, reporter)
    done = reporter.rounds[-1][1]
    report = done["evaluation"]
    assert report["labels"] == ["neg", "pos"] and report["accuracy"] == pytest.approx(metrics["accuracy"], abs=1e-6)
    assert report["macro_f1"] == pytest.approx(metrics["macro_f1"], abs=1e-6)
    assert sum(map(sum, report["confusion_matrix"])) == 40 == sum(c["support"] for c in report["per_class"])
    assert all(e["label"] != e["predicted"] for e in report["examples"])
    archive = zipfile.ZipFile(io.BytesIO(storage.get_bytes(MODELS, TaskLayout.model_archive("model_1"))))
    assert json.loads(archive.read("evaluation.json")) == report
    assert json.loads(storage.get_bytes(MODELS, TaskLayout.model_evaluation("model_1"))) == report
    assert "## Evaluation" in archive.read("README.md").decode()
    tokenizer = json.loads(archive.read("tokenizer_config.json"))
    assert tokenizer["model_max_length"] == 128  # the task's max_length: plain transformers truncates as training did
