"""Scale-out: job wall time with 1 vs 2 worker processes, and dispatch latency on Redis vs the embedded broker.

1. The same training job on Redis + PostgreSQL + S3 (moto over HTTP), `trainnet serve --no-workers` and 1 or 2
   `trainnet worker` processes with one torch thread each: wall time from POST /api/train to `done`. The two
   fleets run side by side and take turns, so background load on a shared machine hits both alike.
2. Dispatch latency of a trivial job: `send_task` → the task starts in a warm worker (same Celery settings as
   the platform's; the embedded broker polls SQLite every 0.1 s, Redis blocks on BRPOP).
3. POST /api/train → the first optimizer step, on the Redis stack and on the embedded default.

    .venv/bin/python bench/bench_scale_out.py [--runs 3] [--pings 30]
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from common import markdown_table, median  # noqa: E402

from tests.conftest import ServerProcess, WorkerProcess, text_rows, to_csv, wait_for_task  # noqa: E402
from tests.services.conftest import (  # noqa: E402
    FAST_RECOVERY,
    PostgresServer,
    RedisServer,
    S3Server,
    services_env,
    wait_until,
)

# A job where shard training, not bookkeeping, dominates: the reduced DistilBERT (random init), 1,600 rows.
JOB = {"model_type": "distilbert", "num_shards": 2, "rounds": 1, "epochs": 4}
ROWS_PER_CLASS = 800


def make_ping_app(settings=None):
    """The platform's Celery configuration with one trivial task that records when it started."""
    from trainnet.settings import get_settings
    from trainnet.worker.celery_app import make_celery

    app = make_celery(settings or get_settings())
    app.conf.include = []

    @app.task(name="bench.ping")
    def ping(path: str) -> None:
        Path(path).write_text(repr(time.time()))

    return app


def ping_worker() -> None:
    make_ping_app().worker_main(
        [
            "worker",
            "-Q",
            "cpu_queue",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            "ping@%h",
        ]
    )


def dispatch_latencies(env: dict, pings: int, scratch: Path) -> list[float]:
    """Seconds from send_task to the task starting, for `pings` round trips through a warm worker."""
    from trainnet.settings import Settings

    scratch = Path(tempfile.mkdtemp(dir=scratch, prefix="pings-"))
    worker = subprocess.Popen(
        [sys.executable, __file__, "--ping-worker"],
        env={**os.environ, **env},
        start_new_session=True,
        stdout=open(scratch / "ping-worker.log", "a"),
        stderr=subprocess.STDOUT,
    )
    app = make_ping_app(Settings(**{k: v for k, v in env.items() if v}))
    latencies = []
    try:
        for i in range(pings + 1):
            marker = scratch / f"ping-{i}"
            sent = time.time()
            app.send_task("bench.ping", args=[str(marker)], queue="cpu_queue")
            started = float(
                wait_until(lambda: marker.exists() and marker.read_text(), 120, "ping not served", interval=0.002)
            )
            if i:  # the first one waits for the worker to start
                latencies.append(started - sent)
    finally:
        os.killpg(worker.pid, 9)
        worker.wait()
    return latencies


def first_step_delay(database_url: str, task_id: str, posted: float) -> float:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            first = connection.execute(
                text("select min(first_step_at) from shards where task_id = :t"), {"t": task_id}
            ).scalar()
    finally:
        engine.dispose()
    if isinstance(first, str):  # SQLite hands back text
        from datetime import datetime

        first = datetime.fromisoformat(first)
    return first.timestamp() - posted


SPIN = (
    "import time, torch; torch.set_num_threads(1); a = torch.randn(256, 256); t = time.perf_counter()\n"
    "for _ in range(2000): a @ a\nprint(time.perf_counter() - t)"
)


def free_cores() -> float:
    """How many cores two 1-thread processes get right now: 2.0 on an idle 2-core machine, less when shared."""

    def spin(n: int) -> float:
        processes = [
            subprocess.Popen([sys.executable, "-c", SPIN], stdout=subprocess.PIPE, text=True) for _ in range(n)
        ]
        return max(float(p.communicate()[0]) for p in processes)

    return 2 * spin(1) / spin(2)


def run_job(client: httpx.Client, dataset_id: str) -> tuple[str, float, float]:
    posted = time.time()
    response = client.post("/api/train", json={"dataset_id": dataset_id, **JOB})
    response.raise_for_status()
    task = wait_for_task(client, response.json()["task_id"], timeout=1800)
    assert task["status"] == "done", task["error"]
    return task["task_id"], posted, time.time() - posted


class Fleet:
    """`trainnet serve --no-workers` and `count` workers with their own database and Redis database, so two
    fleets can run side by side on the same servers and take turns (the background load hits both alike)."""

    def __init__(self, root: Path, count: int, redis_server, postgres, s3, rows_per_class: int):
        self.count, self.root = count, root / f"fleet{count}"
        self.database_url = postgres.create_database(f"bench{count}")
        env = {
            **services_env(redis_server, self.database_url, s3, secrets.token_urlsafe(24)),
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_server.port}/{count}",
        }
        self.api = ServerProcess(self.root / "api" / "data", extra_env=env, no_workers=True).start()
        self.client = httpx.Client(base_url=self.api.url, timeout=60)
        self.workers = [
            WorkerProcess(
                f"bench{count}-{i}", {**env, "TRAINNET_API_URL": self.api.url}, self.root / f"w{i}" / "data"
            ).start()
            for i in range(count)
        ]
        names = {w.node for w in self.workers}
        wait_until(
            lambda: names <= {w["name"] for w in self.client.get("/api/workers").json()}, 300, "workers did not report"
        )
        upload = self.client.post("/api/datasets", files={"file": ("r.csv", to_csv(text_rows(rows_per_class)))})
        self.dataset_id = upload.json()["dataset_id"]
        self.times, self.first_steps, self.tasks = [], [], []

    def run(self, measured: bool) -> None:
        task_id, posted, seconds = run_job(self.client, self.dataset_id)
        if measured:
            self.times.append(seconds)
            self.first_steps.append(first_step_delay(self.database_url, task_id, posted))
            self.tasks.append(task_id)

    def shard_seconds(self) -> list[float]:
        """Training time of each measured shard, from the workers' logs."""
        pattern = re.compile(r"task (task_\w+) round \d+ shard \d+: .* ([\d.]+)s$")
        found = [pattern.search(line) for w in self.workers for line in w.log_tail(10_000_000).splitlines()]
        return [float(m.group(2)) for m in found if m and m.group(1) in self.tasks]

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.api.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3, help="measured jobs per fleet (after one warm-up each)")
    parser.add_argument("--pings", type=int, default=30, help="measured round trips per broker")
    parser.add_argument("--rows-per-class", type=int, default=ROWS_PER_CLASS, help="rows of each label in the job")
    parser.add_argument("--ping-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ping_worker:
        return ping_worker()

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="trainnet-bench-") as tmp:
        root = Path(tmp)
        redis_server, postgres, s3 = RedisServer(root / "redis").start(), PostgresServer().start(), S3Server().start()
        jobs, dispatch, first_step, fleets, cores = [], [], [], [], []
        try:
            fleets = [Fleet(root, count, redis_server, postgres, s3, args.rows_per_class) for count in (1, 2)]
            cores = [free_cores()]
            for run in range(args.runs + 1):  # the first job of each fleet warms imports and caches
                for fleet in fleets if run % 2 else reversed(fleets):
                    fleet.run(measured=run > 0)
            cores.append(free_cores())
            for fleet in fleets:
                shards = fleet.shard_seconds()
                jobs.append(
                    [
                        fleet.count,
                        args.runs,
                        f"{median(fleet.times):.1f}",
                        f"{min(fleet.times):.1f}",
                        f"{max(fleet.times):.1f}",
                        f"{median(shards):.1f}",
                    ]
                )
            two = fleets[1]
            first_step.append(
                ["Redis + PostgreSQL + S3", f"{median(two.first_steps):.2f}", f"{max(two.first_steps):.2f}"]
            )
            for fleet in fleets:
                fleet.stop()
            redis_env = {
                "REDIS_HOST": "127.0.0.1",
                "REDIS_PORT": str(redis_server.port),
                "TRAINNET_DATA_DIR": str(root / "ping-redis"),
            }
            dispatch.append(["Redis", dispatch_latencies(redis_env, args.pings, root)])
        finally:
            for fleet in fleets:
                fleet.stop()
            s3.stop()
            postgres.stop()
            redis_server.stop()

        embedded_env = {"TRAINNET_DATA_DIR": str(root / "ping-embedded"), "REDIS_HOST": "", "CELERY_BROKER_URL": ""}
        (root / "ping-embedded").mkdir()
        dispatch.append(["embedded (SQLite, 0.1 s polling)", dispatch_latencies(embedded_env, args.pings, root)])

        server = ServerProcess(
            root / "embedded" / "data",
            workers=2,
            extra_env={**FAST_RECOVERY, "REDIS_HOST": "", "CELERY_BROKER_URL": ""},
        ).start()
        try:
            client = httpx.Client(base_url=server.url, timeout=60)
            dataset_id = client.post(
                "/api/datasets", files={"file": ("r.csv", to_csv(text_rows(args.rows_per_class)))}
            ).json()["dataset_id"]
            delays = []
            for run in range(args.runs + 1):
                task_id, posted, _ = run_job(client, dataset_id)
                if run:
                    delays.append(first_step_delay(f"sqlite:///{server.data_dir / 'trainnet.db'}", task_id, posted))
            first_step.append(["embedded (SQLite broker)", f"{median(delays):.2f}", f"{max(delays):.2f}"])
        finally:
            server.stop()

    command = "    .venv/bin/python bench/bench_scale_out.py " + " ".join(sys.argv[1:])
    load = f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
    print(f"Scale-out benchmark ({os.cpu_count()} cores, {load}; one torch thread per worker)\n\n{command}\n")
    print(f"Job wall time, POST /api/train → done: {JOB}, {2 * args.rows_per_class} rows, Redis + PostgreSQL + S3\n")
    print(markdown_table(["worker processes", "runs", "median s", "min s", "max s", "median s per shard"], jobs))
    print(
        f"\nCores two 1-thread processes got on this machine, measured before / after the jobs: "
        f"{cores[0]:.2f} / {cores[1]:.2f} (2.00 = two idle cores)"
    )
    print("\nDispatch latency of a trivial job, send_task → task start in a warm worker\n")
    print(
        markdown_table(
            ["broker", "round trips", "median ms", "p95 ms", "max ms"],
            [
                [
                    name,
                    len(v),
                    f"{1000 * median(v):.1f}",
                    f"{1000 * statistics.quantiles(v, n=20)[-1]:.1f}",
                    f"{1000 * max(v):.1f}",
                ]
                for name, v in dispatch
            ],
        )
    )
    print("\nPOST /api/train → first optimizer step (2 warm workers, same job)\n")
    print(markdown_table(["stack", "median s", "max s"], first_step))


if __name__ == "__main__":
    main()
