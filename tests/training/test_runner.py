"""The worker-side jobs around the trainer, on local storage with a recording reporter instead of the API."""

import json

from tests.conftest import TINY_DISTILBERT, text_rows
from trainnet.dispatch.messages import PrepareJob, ShardJob, TaskLayout
from trainnet.storage.local import LocalStorage
from trainnet.training.runner import prepare, run_shard

BUCKET = "artifacts"


class Reporter:
    """Answers shard reports with `proceed` until `stop_after` running reports, then says the work is unwanted."""

    def __init__(self, stop_after: int | None = None):
        self.stop_after, self.shard_reports, self.status_reports = stop_after, [], []

    def task_status(self, task_id, status, error=None, progress=None):
        self.status_reports.append((status, progress))

    def prepared(self, task_id, info):
        self.info = info

    def shard(self, task_id, round_, index, status, **fields):
        self.shard_reports.append((status, fields.get("progress")))
        running = sum(1 for s, _ in self.shard_reports if s == "running")
        return self.stop_after is None or running <= self.stop_after

    def round(self, task_id, round_, status, **fields):
        return True


def prepared_task(tmp_path, epochs: int, reporter=None, **params) -> tuple[LocalStorage, ShardJob]:
    storage = LocalStorage(tmp_path / "storage")
    layout = TaskLayout("task_1")
    rows = text_rows(20)
    records = "".join(json.dumps({"text": r["text"], "label": int(r["label"] == "pos")}) + "\n" for r in rows)
    storage.put_bytes(BUCKET, layout.shard_data(0), records.encode())
    params = {
        "epochs": epochs,
        "rounds": 2,
        "warmup_epochs": 1,
        "batch_size": 2,
        "model_config": TINY_DISTILBERT,
        **params,
    }
    prepare(
        PrepareJob(
            task_id="task_1",
            model_type="distilbert",
            kind="text",
            base_model=None,
            label_names=["neg", "pos"],
            num_shards=1,
            params=params,
        ),
        storage,
        BUCKET,
        reporter or Reporter(),
    )
    return storage, ShardJob(
        task_id="task_1", round=0, index=0, attempt=1, kind="text", params=params, pretrained=False
    )


def test_a_shard_stops_training_when_the_api_says_the_work_is_no_longer_wanted(tmp_path):
    storage, job = prepared_task(tmp_path, epochs=50)  # 1,000 steps
    reporter = Reporter(stop_after=1)  # the start is wanted; by the first step the task has ended
    assert run_shard(job, storage, BUCKET, reporter, tmp_path / "cache", "w") is None
    assert reporter.shard_reports == [("running", 0.0), ("running", 0.1)]  # stopped after step 1 of 1,000
    assert not storage.exists(BUCKET, TaskLayout("task_1").shard_weights(0, 0))


def test_a_wanted_shard_trains_to_the_end_and_stores_its_weights(tmp_path):
    storage, job = prepared_task(tmp_path, epochs=1)
    reporter = Reporter()
    assert run_shard(job, storage, BUCKET, reporter, tmp_path / "cache", "w").steps == 20
    assert reporter.shard_reports[-1] == ("done", None)
    assert storage.exists(BUCKET, TaskLayout("task_1").shard_weights(0, 0))


def test_a_shard_of_a_pretrained_model_steps_on_its_share_of_the_round_batch(tmp_path):
    storage, job = prepared_task(tmp_path, epochs=1)
    pretrained = job.model_copy(update={"pretrained": True, "params": {**job.params, "num_shards": 2}})
    assert run_shard(pretrained, storage, BUCKET, Reporter(), tmp_path / "cache", "w").steps == 40  # batch 2 / 2


def test_a_random_init_trains_its_shared_warm_up_on_every_training_row_before_it_is_stored(tmp_path):
    reporter = Reporter()
    storage, _ = prepared_task(tmp_path, epochs=1, reporter=reporter, warmup_epochs=2)
    warmup = reporter.info["warmup"]
    assert warmup["epochs"] == 2 and warmup["rows"] == 40 and warmup["steps"] == 40  # 2 epochs of 40 rows, batch 2
    assert warmup["train_loss"] > 0 and warmup["first_step_at"] > 0
    assert reporter.status_reports[0] == ("running", None) and reporter.status_reports[-1] == ("running", 100.0)
    stored = json.loads(storage.get_bytes(BUCKET, TaskLayout("task_1").base + "/trainnet.json"))
    assert stored["warmup"] == warmup and warmup["shards"] == [0]


def test_no_warm_up_when_it_is_switched_off(tmp_path):
    reporter = Reporter()
    prepared_task(tmp_path, epochs=1, reporter=reporter, warmup_epochs=0)
    assert "warmup" not in reporter.info and reporter.info["pretrained"] is False


def test_a_shard_whose_labels_the_model_has_no_head_for_is_left_out_of_the_warm_up(tmp_path):
    storage, layout, reporter = LocalStorage(tmp_path / "storage"), TaskLayout("task_2"), Reporter()
    rows = text_rows(10)
    good = "".join(json.dumps({"text": r["text"], "label": int(r["label"] == "pos")}) + "\n" for r in rows)
    corrupt = "".join(json.dumps({"text": r["text"], "label": 999}) + "\n" for r in rows)
    storage.put_bytes(BUCKET, layout.shard_data(0), good.encode())
    storage.put_bytes(BUCKET, layout.shard_data(1), corrupt.encode())
    storage.put_bytes(BUCKET, layout.shard_data(2), b"not json\n")
    params = {"epochs": 1, "rounds": 2, "warmup_epochs": 1, "batch_size": 2, "model_config": TINY_DISTILBERT}
    prepare(
        PrepareJob(
            task_id="task_2",
            model_type="distilbert",
            kind="text",
            base_model=None,
            label_names=["neg", "pos"],
            num_shards=3,
            params=params,
        ),
        storage,
        BUCKET,
        reporter,
    )
    assert reporter.info["warmup"]["shards"] == [0] and reporter.info["warmup"]["rows"] == 20
