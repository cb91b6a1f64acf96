"""The sweep of pipeline B jobs on a real (SQLite) database: which lost jobs it re-sends, and which it leaves."""

from datetime import timedelta

import pytest

from trainnet.db.migrate import upgrade
from trainnet.db.session import session_scope
from trainnet.db.tables import Dataset, LoraJob, Worker, utcnow
from trainnet.dispatch.messages import FINE_TUNE_LORA_TASK, GENERATE_DATASET_TASK, VALIDATE_DATASET_TASK
from trainnet.dispatch.policy import Policy
from trainnet.dispatch.sender import Dispatch
from trainnet.factory.jobs import record_dispatch
from trainnet.factory.recovery import sweep as sweep_factory_jobs

POLICY = Policy(lease_seconds=60, worker_timeout_seconds=10)


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    upgrade(url)
    return url


def add_dataset(db, id_, status, task_name, sent_ago):
    with session_scope(db) as session:
        dataset = Dataset(id=id_, name="seed.jsonl", format="jsonl", status=status)
        session.add(dataset)
        record_dispatch(
            dataset,
            Dispatch(task_name, {"dataset_id": id_, "job": {"x": 1}}, "cpu_queue", True),
            utcnow() - timedelta(seconds=sent_ago),
        )


def add_lora_job(db, id_, status, sent_ago):
    with session_scope(db) as session:
        session.add(Dataset(id="ds_ready", name="r.jsonl", format="jsonl", status="READY_FOR_FINE_TUNING"))
        job = LoraJob(id=id_, dataset_id="ds_ready", base_model="m", n_trials=2, status=status)
        session.add(job)
        record_dispatch(
            job,
            Dispatch(FINE_TUNE_LORA_TASK, {"dataset_id": "ds_ready", "job": {}}, "gpu_queue", True),
            utcnow() - timedelta(seconds=sent_ago),
        )


def add_worker(db, name, queues, jobs=(), seen_ago=0):
    with session_scope(db) as session:
        session.add(
            Worker(
                name=name, queues=list(queues), jobs=list(jobs), last_heartbeat=utcnow() - timedelta(seconds=seen_ago)
            )
        )


def sweep(db):
    with session_scope(db) as session:
        return sweep_factory_jobs(session, POLICY)


def test_a_generation_no_live_worker_runs_is_resent_as_it_was_sent(db):
    add_dataset(db, "ds_gen", "GENERATING", GENERATE_DATASET_TASK, sent_ago=120)
    add_worker(db, "dead", ["cpu_queue"], jobs=["generate:ds_gen"], seen_ago=300)
    add_worker(db, "idle", ["cpu_queue"])
    [dispatch] = sweep(db)
    assert dispatch == Dispatch(GENERATE_DATASET_TASK, {"dataset_id": "ds_gen", "job": {"x": 1}}, "cpu_queue", True)
    assert sweep(db) == []  # re-sent now: the lease starts again


def test_jobs_that_are_running_recent_or_waiting_behind_a_busy_fleet_are_left_alone(db):
    add_dataset(db, "ds_running", "VALIDATING", VALIDATE_DATASET_TASK, sent_ago=600)
    add_dataset(db, "ds_recent", "GENERATING", GENERATE_DATASET_TASK, sent_ago=5)
    add_worker(db, "busy", ["cpu_queue"], jobs=["validate:ds_running"])
    add_worker(db, "idle-gpu", ["gpu_queue"])
    assert sweep(db) == []  # the only idle worker serves another queue: ds_recent may just be waiting
    add_worker(db, "idle-cpu", ["cpu_queue"])
    assert sweep(db) == []  # ds_running is running; ds_recent was sent 5 s ago


def test_finished_datasets_are_never_resent(db):
    for status in ("GENERATED", "READY_FOR_FINE_TUNING", "DELETED", "error"):
        add_dataset(db, f"ds_{status}", status, VALIDATE_DATASET_TASK, sent_ago=600)
    add_worker(db, "idle", ["cpu_queue"])
    assert sweep(db) == []


def test_a_lora_job_whose_gpu_worker_died_is_resent_to_the_gpu_queue(db):
    add_lora_job(db, "lora_1", "running", sent_ago=600)
    add_worker(db, "idle-cpu", ["cpu_queue"])
    assert sweep(db) == []  # no idle gpu worker to take it
    add_worker(db, "idle-gpu", ["gpu_queue"])
    [dispatch] = sweep(db)
    assert (dispatch.name, dispatch.queue) == (FINE_TUNE_LORA_TASK, "gpu_queue")
