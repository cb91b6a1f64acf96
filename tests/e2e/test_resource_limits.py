"""Resource limits on a real `trainnet serve`: a round's shard weights are deleted once the round is averaged,
and a task that runs past the wall-time limit ends `error` with the reason and frees its worker."""

import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import TINY_DISTILBERT, ServerProcess, text_rows, to_csv, wait_for_task

pytestmark = pytest.mark.slow


def poll(condition, timeout: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(interval)
    raise TimeoutError(f"{what} within {timeout:.0f}s")


def submit(api: httpx.Client, rows_per_class: int, **request) -> str:
    upload = api.post("/api/datasets", files={"file": ("reviews.csv", to_csv(text_rows(rows_per_class)))})
    assert upload.status_code == 201, upload.text
    body = {
        "dataset_id": upload.json()["dataset_id"],
        "model_type": "distilbert",
        "model_config": TINY_DISTILBERT,
        "batch_size": 2,
        **request,
    }
    response = api.post("/api/train", json=body)
    assert response.status_code == 202, response.text
    return response.json()["task_id"]


def round_weights(data_dir: Path, task_id: str) -> list[str]:
    """The task's round weight files in local storage, as `round/file` (e.g. `0/shard-1.safetensors`)."""
    root = data_dir / "storage" / "artifacts" / "tasks" / task_id / "rounds"
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.safetensors")) if root.exists() else []


def test_round_weights_are_deleted_once_the_round_is_averaged(live_server_process):
    data_dir = live_server_process.data_dir
    with httpx.Client(base_url=live_server_process.url, timeout=60) as api:
        task_id = submit(api, 30, num_shards=2, rounds=2, epochs=40)  # each round's shards train for seconds
        seen_round_0 = poll(
            lambda: [f for f in round_weights(data_dir, task_id) if f.startswith("0/shard-")],
            180,
            "no round-0 shard weights were written",
        )

        def round_1_training():
            task = api.get(f"/api/tasks/{task_id}").json()
            return task["current_round"] == 1 and any(
                s["round"] == 1 and s["status"] == "running" and s["progress"] > 0 for s in task["shards"]
            )

        poll(round_1_training, 180, "round 1 did not start training")
        poll(
            lambda: not any(f.startswith("0/") for f in round_weights(data_dir, task_id)),
            10,
            "round 0's weights were not deleted",
        )
        during = api.get(f"/api/tasks/{task_id}").json()
        assert during["status"] == "running" and during["current_round"] == 1, "round 1 ended before the check"
        task = wait_for_task(api, task_id)
    assert task["status"] == "done", task["error"]
    assert seen_round_0 and round_weights(data_dir, task_id) == []
    assert not (data_dir / "storage" / "artifacts" / "tasks" / task_id / "rounds").exists()


def test_a_task_over_the_wall_time_limit_ends_error_with_the_reason_and_frees_its_worker(tmp_path):
    # long enough for the task's preparation on a loaded machine, far shorter than its training
    server = ServerProcess(tmp_path / "data", workers=1, extra_env={"TRAINNET_TASK_TIME_LIMIT": "10"}).start()
    try:
        with httpx.Client(base_url=server.url, timeout=60) as api:
            # 32,000 steps: minutes of training; no shared warm-up, so the preparation is quick even on a busy machine
            task_id = submit(api, 400, num_shards=1, rounds=1, epochs=100, warmup_epochs=0)
            task = wait_for_task(api, task_id, timeout=120)
            status = api.get(f"/api/tasks/{task_id}/status").json()
            assert status["status"] == "error"
            assert "exceeded the 10 s wall-time limit" in status["error"], status["error"]
            assert len(task["shards"]) == 1, f"the limit hit before training started: {task}"
            [shard] = task["shards"]
            assert shard["status"] == "failed" and "wall-time limit" in shard["error"] and shard["progress"] < 100
            assert task["rounds"][0]["status"] == "error" and task["model_id"] is None

            # the worker stops training at its next progress report and takes the next job
            poll(
                lambda: all(not w["jobs"] for w in api.get("/api/workers").json()),
                15,
                "the worker is still busy with the stopped task",
                interval=0.2,
            )
            poll(
                lambda: "stopped, the task has ended" in server.log_path.read_text(),
                5,
                "the worker did not log that it stopped the shard",
            )
            poll(lambda: round_weights(server.data_dir, task_id) == [], 15, "round weights were left behind")
            assert api.get(f"/api/tasks/{task_id}/status").json() == status  # late reports changed nothing
    finally:
        server.stop()
