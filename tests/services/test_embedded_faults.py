"""The embedded default survives a crash too: kill -9 its workers mid-shard and the server, start `trainnet
serve` again on the same data directory, and the job completes (the sweeper re-dispatches the shard that the
SQL broker will never redeliver); a pipeline B job whose worker is killed is re-sent the same way."""

import os
import signal
import threading
from http.server import ThreadingHTTPServer

import httpx
import pytest

from tests.conftest import SHARED_DATA, ServerProcess, wait_for_task
from tests.generate.conftest import ChatStub, _handler
from tests.services.conftest import FAST_RECOVERY, assert_nothing_lost, shard_mid_way, submit, wait_until

pytestmark = pytest.mark.services


def test_embedded_workers_killed_mid_shard_then_serve_restarted_completes_the_job(tmp_path):
    env = {**FAST_RECOVERY, "TRAINNET_SHARD_LEASE_SECONDS": "10"}
    server = ServerProcess(tmp_path / "data", workers=2, extra_env=env)
    try:
        server.start()
        with httpx.Client(base_url=server.url, timeout=60) as api:
            task_id = submit(api, epochs=20)
            victim = shard_mid_way(api, task_id)
            for pid in server.worker_pids():  # training yields the cores to the API the moment it wants one
                assert os.sched_getscheduler(pid) == os.SCHED_IDLE and os.getpriority(os.PRIO_PROCESS, pid) == 19
            for pid in server.worker_pids():  # each embedded worker leads its own process group
                os.killpg(pid, signal.SIGKILL)
            server.stop(signal.SIGKILL)
            server.start()

            task = wait_for_task(api, task_id)
        assert_nothing_lost(task)
        assert next(s for s in task["shards"] if s["index"] == victim["index"])["attempts"] >= 2
    finally:
        server.stop()


def test_a_generation_whose_embedded_worker_is_killed_is_resent_and_completes(tmp_path):
    """The SQL broker never redelivers the generation message of a killed worker: the sweep re-sends it."""
    stub = ChatStub(delay_s=0.4)
    teacher = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    threading.Thread(target=teacher.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    env = {
        **FAST_RECOVERY,
        "TRAINNET_SHARD_LEASE_SECONDS": "5",
        "TEACHER_MODEL": "stub-teacher",
        "TEACHER_BASE_URL": f"http://127.0.0.1:{teacher.server_address[1]}/v1",
        "TEACHER_API_KEY": "test",
    }
    server = ServerProcess(tmp_path / "data", workers=1, extra_env=env)
    try:
        server.start()
        with httpx.Client(base_url=server.url, timeout=60) as api:
            seed = api.post(
                "/api/datasets", files={"file": ("seed_tasks.jsonl", (SHARED_DATA / "seed_tasks.jsonl").read_bytes())}
            )
            response = api.post(
                f"/api/datasets/{seed.json()['dataset_id']}/generate",
                json={"num_examples": 12, "teacher": "openai", "params": {"batch_size": 2}},
            )
            dataset_id = response.json()["dataset_id"]
            wait_until(lambda: len(stub.requests) >= 3, 60, "the teacher to be asked")
            for pid in server.worker_pids():
                os.killpg(pid, signal.SIGKILL)
            asked_before_restart = len(stub.requests)

            dataset = wait_until(
                lambda: (d := api.get(f"/api/datasets/{dataset_id}").json())["status"] != "GENERATING" and d,
                180,
                "the generation to end",
            )
        assert dataset["status"] == "GENERATED" and dataset["rows"] == 12, dataset
        assert len(stub.requests) > asked_before_restart  # a worker ran the job again after the kill
    finally:
        server.stop()
        teacher.shutdown()
