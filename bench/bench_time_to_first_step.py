"""P3: time from POST /api/train to the first optimizer step, on a real `trainnet serve` (embedded broker).

The server and its two workers are started and warmed up first (the target is about dispatch, not process
start-up). For each run: POST /api/train, then read from the platform database when the first optimizer step was
taken: the shared warm-up's (`info.warmup.first_step_at`, in the prepare job) for a random init, else the earliest
`first_step_at` of the task's shards. Target ≤ 2 s.

    .venv/bin/python bench/bench_time_to_first_step.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from common import markdown_table, median  # noqa: E402

from tests.conftest import ServerProcess, text_rows, to_csv  # noqa: E402


def stamp(value: str | None) -> float | None:
    return datetime.fromisoformat(value).timestamp() if value else None


def timeline(db: Path, task_id: str, timeout: float = 120) -> dict[str, float]:
    """When the task was prepared, its first shard started, and its first optimizer step was taken: that of the
    shared warm-up in the prepare job for a random init (from the task's info), else a shard's."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sqlite3.connect(db) as connection:
            prepared, info = connection.execute(
                "select prepared_at, info from tasks where id = ?", (task_id,)
            ).fetchone()
            started, first = connection.execute(
                "select min(started_at), min(first_step_at) from shards where task_id = ?", (task_id,)
            ).fetchone()
        if first:
            warmup = json.loads(info or "{}").get("warmup")
            return {
                "prepared": stamp(prepared),
                "shard started": stamp(started),
                "first step": warmup["first_step_at"] if warmup else stamp(first),
            }
        time.sleep(0.05)
    raise TimeoutError(task_id)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--models", nargs="+", default=["distilbert", "minilm"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp) / "data", workers=2).start()
        try:
            client = httpx.Client(base_url=server.url, timeout=60)
            dataset = client.post("/api/datasets", files={"file": ("reviews.csv", to_csv(text_rows(100)))}).json()
            rows = []
            for model_type in args.models:
                times, phases = [], []
                for run in range(args.runs + 1):
                    posted = time.time()
                    task = client.post(
                        "/api/train",
                        json={
                            "model_type": model_type,
                            "dataset_id": dataset["dataset_id"],
                            "num_shards": 2,
                            "rounds": 1,
                            "epochs": 1,
                        },
                    ).json()
                    moments = timeline(server.data_dir / "trainnet.db", task["task_id"])
                    delay = moments["first step"] - posted
                    while client.get(f"/api/tasks/{task['task_id']}/status").json()["status"] not in ("done", "error"):
                        time.sleep(0.2)
                    if run:  # the first run warms the workers' caches (imports, pretrained weights in page cache)
                        times.append(delay)
                        phases.append({k: v - posted for k, v in moments.items()})
                rows.append(
                    [model_type, args.runs, f"{median(times):.2f}", f"{max(times):.2f}"]
                    + [f"{median([p[k] for p in phases]):.2f}" for k in ("prepared", "shard started")]
                )
        finally:
            server.stop()
    print("P3 time from POST /api/train to the first optimizer step (embedded broker, 2 warm workers)\n")
    print(
        markdown_table(
            ["model_type", "runs", "median s", "max s", "median s to prepared", "median s to shard start"], rows
        )
    )


if __name__ == "__main__":
    main()
