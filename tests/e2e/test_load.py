"""Load on the embedded default: 100 training jobs submitted at once to one real `trainnet serve` all end
`done`, none lost or stuck; each embedded worker process runs one job at a time while the others wait in the
queue; and no round weights are left behind."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

import httpx
import pytest

from tests.conftest import TINY_DISTILBERT, ServerProcess, text_rows, to_csv

pytestmark = pytest.mark.slow
JOBS = 100
WORKERS = 2


@dataclass
class Sample:
    """What GET /api/workers and GET /api/tasks showed at one moment while the jobs ran."""

    active_jobs: dict[str, int]
    waiting_tasks: int


@dataclass
class Burst:
    server: ServerProcess
    responses: list[httpx.Response]
    tasks: dict[str, dict] = field(default_factory=dict)  # task id -> GET /api/tasks/{id} once all ended
    samples: list[Sample] = field(default_factory=list)
    submit_seconds: float = 0.0
    finish_seconds: float = 0.0


class Sampler:
    """Polls the workers and the task list four times a second in a thread, as a dashboard would."""

    def __init__(self, url: str):
        self.client = httpx.Client(base_url=url, timeout=30)
        self.samples: list[Sample] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stop.wait(0.25):
            workers = self.client.get("/api/workers").json()
            tasks = self.client.get("/api/tasks", params={"limit": 1000}).json()
            self.samples.append(
                Sample(
                    {w["name"]: w["active_jobs"] for w in workers},
                    sum(t["status"] in ("queued", "running") for t in tasks),
                )
            )


def all_ended(api: httpx.Client, task_ids: set[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        statuses = [
            t["status"] for t in api.get("/api/tasks", params={"limit": 1000}).json() if t["task_id"] in task_ids
        ]
        if len(statuses) == len(task_ids) and all(s in ("done", "error") for s in statuses):
            return
        time.sleep(1)
    counts = {s: statuses.count(s) for s in set(statuses)}
    raise TimeoutError(f"after {timeout:.0f}s the {len(task_ids)} tasks are {counts}")


@pytest.fixture(scope="module")
def burst(tmp_path_factory) -> Burst:
    server = ServerProcess(tmp_path_factory.mktemp("load") / "data", workers=WORKERS).start()
    try:
        with httpx.Client(base_url=server.url, timeout=120) as api:
            upload = api.post("/api/datasets", files={"file": ("reviews.csv", to_csv(text_rows(10)))})
            body = {
                "dataset_id": upload.json()["dataset_id"],
                "model_type": "distilbert",
                "model_config": TINY_DISTILBERT,
                "num_shards": 1,
                "rounds": 1,
                "epochs": 1,
            }
            sampler = Sampler(server.url)
            sampler.thread.start()
            started = time.monotonic()
            with ThreadPoolExecutor(JOBS) as pool:
                responses = list(pool.map(lambda _: api.post("/api/train", json=body), range(JOBS)))
            result = Burst(server, responses, submit_seconds=time.monotonic() - started)
            accepted = {r.json()["task_id"] for r in responses if r.status_code == 202}
            all_ended(api, accepted, timeout=600)
            result.finish_seconds = time.monotonic() - started
            sampler.stop.set()
            sampler.thread.join()
            result.samples = sampler.samples
            for task_id in accepted:
                task = api.get(f"/api/tasks/{task_id}")
                assert task.status_code == 200, task.text
                result.tasks[task_id] = task.json()
        print(f"\n{JOBS} jobs: submitted in {result.submit_seconds:.1f}s, all ended after {result.finish_seconds:.1f}s")
        yield result
    finally:
        server.stop()


def test_a_hundred_jobs_submitted_at_once_are_all_accepted(burst):
    assert [r.status_code for r in burst.responses] == [202] * JOBS, [r.text for r in burst.responses][:3]
    assert len({r.json()["task_id"] for r in burst.responses}) == JOBS


def test_every_job_ends_done_and_none_is_lost_or_stuck(burst):
    errors = {i: t["error"] for i, t in burst.tasks.items() if t["status"] != "done"}
    assert not errors, f"{len(errors)} of {JOBS} did not finish: {list(errors.values())[:3]}"
    for task in burst.tasks.values():
        assert task["progress"] == 100.0 and task["model_id"] and task["started_at"] and task["finished_at"]
        assert [s["status"] for s in task["shards"]] == ["done"] and task["rounds"][0]["status"] == "done"


def test_each_worker_process_runs_one_job_at_a_time_while_the_others_wait(burst):
    assert burst.samples, "the sampler saw nothing"
    assert max(n for s in burst.samples for n in s.active_jobs.values()) <= 1
    # the bound was under pressure: each worker was seen busy while dozens of tasks were waiting
    busy_under_pressure = {w for s in burst.samples if s.waiting_tasks >= 20 for w, n in s.active_jobs.items() if n}
    assert len(busy_under_pressure) == WORKERS, burst.samples[:20]
    # and, from the database: no worker ever trained two shards at the same time
    by_worker: dict[str, list[tuple[datetime, datetime]]] = {}
    for task in burst.tasks.values():
        for shard in task["shards"]:
            span = (datetime.fromisoformat(shard["started_at"]), datetime.fromisoformat(shard["finished_at"]))
            by_worker.setdefault(shard["worker"], []).append(span)
    assert len(by_worker) == WORKERS
    for spans in by_worker.values():
        spans.sort()
        assert all(later[0] >= earlier[1] for earlier, later in zip(spans, spans[1:]))


def test_no_round_weights_are_left_behind(burst):
    tasks_dir = burst.server.data_dir / "storage" / "artifacts" / "tasks"
    assert {p.name for p in tasks_dir.iterdir()} == set(burst.tasks)
    assert not list(tasks_dir.glob("*/rounds/**/*.safetensors"))
