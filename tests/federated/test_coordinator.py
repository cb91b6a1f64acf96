"""The coordinator's bookkeeping on a real (SQLite) database: rounds, idempotence, failures, the sweep."""

from datetime import timedelta

import pytest

from trainnet.db.migrate import upgrade
from trainnet.db.session import session_scope
from trainnet.db.tables import Dataset, Task, Worker, utcnow
from trainnet.dispatch.messages import DISCARD_ROUND_WEIGHTS_TASK, FINALIZE_ROUND_TASK, TRAIN_SHARD_TASK
from trainnet.dispatch.policy import Policy
from trainnet.federated import coordinator as c
from trainnet.federated.recovery import sweep
from trainnet.status import IllegalTransition, TaskStatus, advance
from trainnet.status import TaskStatus as T

POLICY = Policy(queue="cpu_queue", lease_seconds=60, worker_timeout_seconds=10)


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    upgrade(url)
    with session_scope(url) as session:
        session.add(Dataset(id="ds_1", name="d.csv", format="csv"))
    return url


def new_task(db, rounds=2, shard_rows=(10, 10, 20), **params) -> str:
    with session_scope(db) as session:
        task = Task(
            id="task_1",
            model_type="distilbert",
            kind="text",
            dataset_id="ds_1",
            params={"rounds": rounds, "num_shards": len(shard_rows), **params},
            label_names=["a", "b"],
        )
        session.add(task)
        session.flush()
        c.prepare_dispatch(task, len(shard_rows), POLICY)
        c.set_task_status(task, T.QUEUED)
    with session_scope(db) as session:
        task = c.lock_task(session, "task_1")
        dispatches = c.record_preparation(session, task, {"pretrained": False}, list(shard_rows), POLICY)
    assert [d.name for d in dispatches] == [TRAIN_SHARD_TASK] * len(shard_rows)
    return "task_1"


def report(db, index, status, round_=0, **fields):
    with session_scope(db) as session:
        task = c.lock_task(session, "task_1")
        return c.record_shard_report(session, task, round_, index, status, POLICY, **fields)


def round_done(db, round_, metrics=None):
    with session_scope(db) as session:
        task = c.lock_task(session, "task_1")
        return c.record_round_report(session, task, round_, "done", POLICY, metrics=metrics or {"accuracy": 1.0})


def test_progress_counts_the_warm_up_first_then_the_rounds(db):
    with session_scope(db) as session:
        session.add(
            Task(
                id="task_1",
                model_type="distilbert",
                kind="text",
                dataset_id="ds_1",
                label_names=["a", "b"],
                params={"rounds": 2, "epochs": 2, "warmup_epochs": 1, "num_shards": 2},
            )
        )
    with session_scope(db) as session:
        task = c.lock_task(session, "task_1")
        c.set_task_status(task, T.QUEUED)
        c.record_warmup_progress(task, 50.0)
        assert task.progress == 0  # not running yet: nothing to show
        c.set_task_status(task, T.RUNNING)
        c.record_warmup_progress(task, 50.0)
        assert task.progress == 10.0  # half of the warm-up's 1 of 5 epochs
        c.record_preparation(session, task, {"pretrained": False, "warmup": {"epochs": 1}}, [10, 10], POLICY)
    assert report(db, 0, "running", progress=50.0, worker="w")[0]
    with session_scope(db) as session:
        task = c.lock_task(session, "task_1")
        assert task.progress == 20.0 + 0.8 * 100 * 0.9 * 0.25 / 2  # the warm-up, then a quarter of round 0's shards
        c.record_warmup_progress(task, 10.0)  # a late warm-up report changes nothing once prepared
        assert task.progress == 29.0


def test_round_is_finalized_once_when_every_shard_is_done(db):
    new_task(db)
    assert report(db, 0, "running", progress=50.0, worker="w") == (True, [])
    assert report(db, 0, "done")[1] == []
    assert report(db, 1, "done")[1] == []
    proceed, dispatches = report(db, 2, "done")
    assert proceed and [d.name for d in dispatches] == [FINALIZE_ROUND_TASK]
    assert [s["rows"] for s in dispatches[0].payload["shards"]] == [10, 10, 20]
    assert report(db, 2, "done") == (False, [])  # round moved on: a duplicate completion changes nothing


def test_rounds_chain_and_the_last_registers_the_model(db):
    new_task(db, rounds=2)
    for i in range(3):
        report(db, i, "done")
    proceed, dispatches = round_done(db, 0)
    assert proceed and [d.payload["round"] for d in dispatches] == [1, 1, 1]
    assert round_done(db, 0) == (False, [])  # finalizing twice is harmless
    for i in range(3):
        report(db, i, "done", round_=1)
    round_done(db, 1, {"accuracy": 0.9})
    with session_scope(db) as session:
        task = session.get(Task, "task_1")
        assert task.status == "done" and task.progress == 100 and task.model_id == "model_1"


def test_failed_shards_are_dropped_when_enough_rows_remain(db):
    new_task(db)
    report(db, 0, "failed", error="boom")
    report(db, 1, "done")
    _, dispatches = report(db, 2, "done")
    assert [s["index"] for s in dispatches[0].payload["shards"]] == [1, 2]
    with session_scope(db) as session:
        assert c.round_of(session, session.get(Task, "task_1"), 0).rows_covered == 0.75


def test_too_many_failed_rows_end_the_task_with_the_reasons(db):
    new_task(db)
    report(db, 2, "failed", error="out of memory")
    report(db, 0, "failed", error="disk full")
    assert [d.name for d in report(db, 1, "done")[1]] == [DISCARD_ROUND_WEIGHTS_TASK]  # shard 1's weights
    with session_scope(db) as session:
        task = session.get(Task, "task_1")
        assert task.status == "error" and "25%" in task.error and "out of memory" in task.error


def test_the_sweeper_honours_a_tasks_min_shard_fraction_of_one(db):
    """A round whose finalize trigger was lost is judged by the task's own `min_shard_fraction`, as the report
    path judges it: a task that asked for every shard is not finalized with a failed one."""
    new_task(db, min_shard_fraction=1.0)
    with session_scope(db) as session:  # the shards ended, but the reports that would judge the round were lost
        task = session.get(Task, "task_1")
        for shard, status in zip(c.shards_of(session, task, 0), ("failed", "done", "done"), strict=True):
            shard.status, shard.error = status, "boom" if status == "failed" else None
    with session_scope(db) as session:
        dispatches = sweep(session, POLICY)
    assert [d.name for d in dispatches] == [DISCARD_ROUND_WEIGHTS_TASK]
    with session_scope(db) as session:
        task = session.get(Task, "task_1")
        assert task.status == "error" and "at least 100% needed" in task.error


def test_sweep_redispatches_the_shard_of_a_dead_worker(db):
    new_task(db)
    report(db, 0, "running", worker="dead@host", progress=10.0)
    with session_scope(db) as session:
        session.add(Worker(name="alive@host", queues=["cpu_queue"], jobs=[], last_heartbeat=utcnow()))
    with session_scope(db) as session:
        dispatches = sweep(session, POLICY)
    assert [(d.payload["index"], d.payload["attempt"]) for d in dispatches] == [(0, 2)]
    with session_scope(db) as session:  # the next sweep sees it queued again and leaves it alone
        assert sweep(session, POLICY) == []


def test_sweep_redispatches_a_lost_message_only_when_a_worker_idles(db):
    new_task(db)
    later = utcnow() + timedelta(seconds=120)
    with session_scope(db) as session:
        session.add(
            Worker(name="busy@host", queues=["cpu_queue"], jobs=["train_shard:task_1:0:0"], last_heartbeat=later)
        )
    with session_scope(db) as session:
        assert sweep(session, POLICY, now=later) == []
    with session_scope(db) as session:
        session.get(Worker, "busy@host").jobs = []
    with session_scope(db) as session:
        assert len(sweep(session, POLICY, now=later)) == 3


def test_reports_after_the_task_ended_are_not_proceeded(db):
    new_task(db)
    with session_scope(db) as session:
        c.set_task_status(c.lock_task(session, "task_1"), T.ERROR, "stopped")
    assert report(db, 0, "running") == (False, [])


LIMITED = Policy(queue="cpu_queue", lease_seconds=60, worker_timeout_seconds=10, time_limit_seconds=3600)


def started_at(db):
    with session_scope(db) as session:
        return session.get(Task, "task_1").started_at


def test_a_task_over_its_wall_time_limit_ends_with_the_reason_and_its_weights_are_discarded(db):
    new_task(db)
    report(db, 0, "done")
    report(db, 1, "running", worker="w", progress=40.0)
    with session_scope(db) as session:
        sweep(session, LIMITED, now=started_at(db) + timedelta(seconds=3599))
        assert session.get(Task, "task_1").status == "running"
    with session_scope(db) as session:
        dispatches = sweep(session, LIMITED, now=started_at(db) + timedelta(seconds=3601))
    assert [(d.name, d.payload) for d in dispatches] == [(DISCARD_ROUND_WEIGHTS_TASK, {"task_id": "task_1"})]
    with session_scope(db) as session:
        task = session.get(Task, "task_1")
        assert task.status == "error" and task.finished_at is not None
        assert "exceeded the 3600 s wall-time limit (it ran 3601 s)" in task.error
        assert "TRAINNET_TASK_TIME_LIMIT" in task.error
        assert c.round_of(session, task, 0).status == "error"
        assert [s.status for s in c.shards_of(session, task, 0)] == ["done", "failed", "failed"]
        assert "wall-time limit" in c.shards_of(session, task, 0)[1].error
    with session_scope(db) as session:  # ended tasks are left alone by later sweeps
        assert sweep(session, LIMITED, now=started_at(db) + timedelta(days=1)) == []


def test_reports_after_the_wall_time_limit_change_nothing(db):
    new_task(db)
    with session_scope(db) as session:
        sweep(session, LIMITED, now=started_at(db) + timedelta(hours=2))
    assert report(db, 1, "running", progress=50.0) == (False, [])  # the worker training it stops
    assert report(db, 1, "done", train_loss=0.1) == (False, [])
    with session_scope(db) as session:
        task = c.lock_task(session, "task_1")
        assert c.record_round_report(session, task, 0, "finalizing", LIMITED) == (False, [])
        assert c.record_round_report(session, task, 0, "done", LIMITED, metrics={}) == (False, [])
        assert c.record_preparation(session, task, {"pretrained": False}, [10, 10, 20], LIMITED) == []
        assert task.status == "error" and task.model_id is None
        assert [s.status for s in c.shards_of(session, task, 0)] == ["failed"] * 3


def test_the_wall_time_limit_counts_from_the_start_not_from_the_submission(db):
    with session_scope(db) as session:
        session.add(
            Task(
                id="task_q",
                model_type="distilbert",
                kind="text",
                dataset_id="ds_1",
                params={},
                status="queued",
                prepare_dispatched_at=utcnow(),
            )
        )
    with session_scope(db) as session:  # queued behind other jobs for hours: not over the limit
        sweep(session, LIMITED, now=utcnow() + timedelta(hours=5))
        task = session.get(Task, "task_q")
        assert task.status == "queued" and task.started_at is None
        c.set_task_status(task, T.RUNNING)
        assert task.started_at is not None


def test_no_wall_time_limit_when_it_is_zero(db):
    new_task(db)
    with session_scope(db) as session:
        sweep(session, POLICY, now=started_at(db) + timedelta(days=30))
        assert session.get(Task, "task_1").status == "running"


def test_status_transitions_are_checked():
    assert advance(TaskStatus, "queued", "running") == "running"
    with pytest.raises(IllegalTransition):
        advance(TaskStatus, "done", "running")
