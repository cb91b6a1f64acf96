"""The embedded default survives a crash too: kill -9 its workers mid-shard and the server, start `trainnet
serve` again on the same data directory, and the job completes (the sweeper re-dispatches the shard that the
SQL broker will never redeliver)."""

import os
import signal

import httpx
import pytest

from tests.conftest import ServerProcess, wait_for_task
from tests.services.conftest import FAST_RECOVERY, assert_nothing_lost, shard_mid_way, submit

pytestmark = pytest.mark.services


def test_embedded_workers_killed_mid_shard_then_serve_restarted_completes_the_job(tmp_path):
    env = {**FAST_RECOVERY, "TRAINNET_SHARD_LEASE_SECONDS": "10"}
    server = ServerProcess(tmp_path / "data", workers=2, extra_env=env)
    try:
        server.start()
        with httpx.Client(base_url=server.url, timeout=60) as api:
            task_id = submit(api, epochs=20)
            victim = shard_mid_way(api, task_id)
            for pid in server.worker_pids():  # each embedded worker leads its own process group
                os.killpg(pid, signal.SIGKILL)
            server.stop(signal.SIGKILL)
            server.start()

            task = wait_for_task(api, task_id)
        assert_nothing_lost(task)
        assert next(s for s in task["shards"] if s["index"] == victim["index"])["attempts"] >= 2
    finally:
        server.stop()
