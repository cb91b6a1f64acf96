"""Real faults on the scale-out stack (Redis + PostgreSQL + S3, `trainnet serve --no-workers`, two `trainnet
worker` processes): no fault may lose a task or a shard."""

from __future__ import annotations

import json
import os
import signal

import httpx
import pytest

from tests.conftest import wait_for_task
from tests.services.conftest import assert_nothing_lost, shard_mid_way, submit

pytestmark = pytest.mark.services


@pytest.fixture
def api(healthy_stack):
    with httpx.Client(base_url=healthy_stack.url, timeout=60) as client:
        yield client


def test_a_worker_killed_mid_shard_has_its_shard_redelivered_to_the_other(healthy_stack, api):
    task_id = submit(api)
    victim_shard = shard_mid_way(api, task_id)
    victim = healthy_stack.worker_named(victim_shard["worker"])
    victim.kill(signal.SIGKILL)

    task = wait_for_task(api, task_id)
    assert_nothing_lost(task)
    redelivered = next(s for s in task["shards"] if s["index"] == victim_shard["index"])
    assert redelivered["attempts"] >= 2
    assert redelivered["worker"] != victim.node and redelivered["worker"] in {w.node for w in healthy_stack.workers}


def test_redis_restart_mid_job_loses_nothing(healthy_stack, api):
    # three shards for two workers: one message waits in Redis and is lost with it (no persistence), the
    # sweeper must send it again; the finalizer and round 1 go through the restarted Redis
    task_id = submit(api, num_shards=3, rounds=2, epochs=10)
    shard_mid_way(api, task_id)
    healthy_stack.redis.restart(down_for=3)

    task = wait_for_task(api, task_id, timeout=400)
    assert_nothing_lost(task, rounds=2, shards=3)


def test_api_restart_mid_job_loses_nothing(healthy_stack, api):
    task_id = submit(api, rounds=2, epochs=20)
    shard = shard_mid_way(api, task_id)
    healthy_stack.restart_api(down_for=5)

    task = wait_for_task(api, task_id)
    assert_nothing_lost(task, rounds=2)
    # the worker's progress reports failed while the API was down and were retried, not dropped
    assert "retrying in" in healthy_stack.worker_named(shard["worker"]).log_tail(200_000)


def corrupt_shard_labels(stack, task_id: str, index: int) -> None:
    """Rewrite a shard's data in storage with labels no model head has: its training fails on every attempt."""
    client, key = stack.s3.client(), f"tasks/{task_id}/data/shard-{index}.jsonl"
    records = [json.loads(line) for line in client.get_object(Bucket="artifacts", Key=key)["Body"].read().splitlines()]
    corrupted = "\n".join(json.dumps({**r, "label": 999}) for r in records) + "\n"
    client.put_object(Bucket="artifacts", Key=key, Body=corrupted.encode())


def test_a_shard_failing_permanently_is_dropped_when_the_rest_cover_min_shard_fraction(healthy_stack, api):
    for worker in healthy_stack.workers:  # hold the fleet so the corruption lands before any shard is read
        os.killpg(worker.process.pid, signal.SIGSTOP)
    try:
        tolerant = submit(api, epochs=1, rounds=2, min_shard_fraction=0.5)
        strict = submit(api, epochs=1, rounds=2, min_shard_fraction=0.75)
        for task_id in (tolerant, strict):
            corrupt_shard_labels(healthy_stack, task_id, 1)
    finally:
        for worker in healthy_stack.workers:
            os.killpg(worker.process.pid, signal.SIGCONT)

    task = wait_for_task(api, tolerant)
    assert task["status"] == "done", task["error"]
    for r in task["rounds"]:
        assert r["status"] == "done" and r["shards_used"] == [0] and r["rows_covered"] == 0.5
    failed = [s for s in task["shards"] if s["index"] == 1]
    assert all(s["status"] == "failed" and "out of bounds" in s["error"] for s in failed)
    assert api.get(f"/api/tasks/{tolerant}/download_model").status_code == 200

    task = wait_for_task(api, strict)
    assert task["status"] == "error"
    assert "covering only 50%" in task["error"] and "at least 75%" in task["error"] and "shard 1" in task["error"]
    assert task["rounds"][0]["status"] == "error" and len(task["rounds"]) == 1
