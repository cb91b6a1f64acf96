"""Status polling under load: GET /api/tasks/{id}/status at a fixed 200 requests/s against a real
`trainnet serve` (embedded default: SQLite, SQL broker, embedded workers with the default sweep and heartbeat
intervals), first while the server is idle, then while its workers train. Target: p99 ≤ 20 ms, zero errors.

Two clients, one after the other, each at the full rate:
- Locust (headless, `bench/locustfile_status.py`: `FastHttpUser`, `constant_throughput`, random phases), with
  few users: on this 2-core machine its gevent client adds tens of milliseconds of its own once it runs dozens
  of users (50 users: p50 33 ms where the server spent 1.5 ms and a plain client measured 5 ms);
- a plain asyncio client here, with many keep-alive connections each sending on a fixed schedule (open loop
  per connection, like that many open task pages), timing each request from write to last byte.

    .venv/bin/python bench/bench_status_polling.py [--rate 200] [--seconds 25] [--users 4] [--connections 50]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))
from common import markdown_table  # noqa: E402

from tests.conftest import TINY_DISTILBERT, ServerProcess, text_rows, to_csv  # noqa: E402
from trainnet.cli.embedded import default_worker_count  # noqa: E402

ENDPOINT = "/api/tasks/{id}/status"
# The product's defaults (the test fixture's ServerProcess shortens them to 1 s).
DEFAULT_INTERVALS = {"TRAINNET_SWEEP_INTERVAL": "5", "TRAINNET_WORKER_HEARTBEAT": "5"}


def submit(api: httpx.Client, dataset_id: str, **request) -> str:
    body = {"dataset_id": dataset_id, "model_type": "distilbert", "model_config": TINY_DISTILBERT, **request}
    response = api.post("/api/train", json=body)
    response.raise_for_status()
    return response.json()["task_id"]


def counts(api: httpx.Client) -> dict[str, int]:
    statuses = [t["status"] for t in api.get("/api/tasks", params={"limit": 1000}).json()]
    return {s: statuses.count(s) for s in sorted(set(statuses))}


def run_locust(url: str, task_ids: list[str], rate: float, users: int, seconds: int, out: Path) -> dict:
    """Run Locust headless and return its summary line for the status endpoint."""
    prefix = out / "locust"
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(BENCH / "locustfile_status.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{seconds}s",
        "--host",
        url,
        "--csv",
        str(prefix),
        "--only-summary",
        "--stop-timeout",
        "5",
        "--loglevel",
        "WARNING",
    ]
    env = {**os.environ, "TRAINNET_BENCH_TASKS": ",".join(task_ids), "TRAINNET_BENCH_USER_RATE": str(rate / users)}
    subprocess.run(command, env=env, check=False, capture_output=True, text=True, timeout=seconds + 60)
    with open(f"{prefix}_stats.csv") as handle:
        row = next(r for r in csv.DictReader(handle) if r["Name"] == ENDPOINT)
    return {
        "requests": int(row["Request Count"]),
        "errors": int(row["Failure Count"]),
        "rate": float(row["Requests/s"]),
        "p50": float(row["50%"]),
        "p95": float(row["95%"]),
        "p99": float(row["99%"]),
        "max": float(row["Max Response Time"]),
    }


def percentiles(latencies_ms: list[float], seconds: float, errors: int) -> dict:
    ordered = sorted(latencies_ms)

    def pick(quantile: float) -> float:
        return ordered[min(len(ordered) - 1, int(quantile * len(ordered)))]

    return {
        "requests": len(ordered) + errors,
        "errors": errors,
        "rate": (len(ordered) + errors) / seconds,
        "p50": pick(0.50),
        "p95": pick(0.95),
        "p99": pick(0.99),
        "max": ordered[-1],
    }


async def _poll_on_schedule(url: str, paths: list[str], period: float, until: float, latencies: list, errors: list):
    """One keep-alive connection sending a GET every `period` seconds from a random phase."""
    address = urlparse(url)
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    await asyncio.sleep(random.uniform(0, period))
    due = time.perf_counter()
    while due < until:
        request = f"GET {random.choice(paths)} HTTP/1.1\r\nHost: {address.netloc}\r\n\r\n".encode()
        started = time.perf_counter()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
        )
        await reader.readexactly(length)
        if head.startswith(b"HTTP/1.1 200"):
            latencies.append((time.perf_counter() - started) * 1000)
        else:
            errors.append(head.split(b"\r\n", 1)[0])
        due += period
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
    writer.close()


def run_asyncio_client(url: str, task_ids: list[str], rate: float, connections: int, seconds: int) -> dict:
    async def run():
        latencies, errors = [], []
        until = time.perf_counter() + seconds
        paths = [ENDPOINT.replace("{id}", task_id) for task_id in task_ids]
        await asyncio.gather(
            *(_poll_on_schedule(url, paths, connections / rate, until, latencies, errors) for _ in range(connections))
        )
        return percentiles(latencies, seconds, len(errors))

    return asyncio.run(run())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second, all users together")
    parser.add_argument("--users", type=int, default=4, help="Locust users (each polls at rate/users)")
    parser.add_argument("--connections", type=int, default=50, help="asyncio client connections")
    parser.add_argument("--seconds", type=int, default=25, help="length of each phase")
    parser.add_argument("--jobs", type=int, default=12, help="training jobs running during the loaded phase")
    parser.add_argument("--workers", type=int, default=default_worker_count(), help="embedded workers")
    args = parser.parse_args()
    rows, results = [], []
    load_before = " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp) / "data", workers=args.workers, extra_env=DEFAULT_INTERVALS).start()
        try:
            api = httpx.Client(base_url=server.url, timeout=60)
            dataset = api.post("/api/datasets", files={"file": ("reviews.csv", to_csv(text_rows(100)))}).json()
            warm_up = submit(api, dataset["dataset_id"], num_shards=1, rounds=1, epochs=1)
            while api.get(f"/api/tasks/{warm_up}/status").json()["status"] not in ("done", "error"):
                time.sleep(0.5)
            phases = [
                ("idle server (no job running)", lambda: [warm_up]),
                (
                    f"{args.workers} workers training, {args.jobs} jobs queued or running",
                    lambda: [
                        submit(api, dataset["dataset_id"], num_shards=2, rounds=3, epochs=30, batch_size=8)
                        for _ in range(args.jobs)
                    ],
                ),
            ]
            for name, start_jobs in phases:
                task_ids = start_jobs()
                clients = [
                    (
                        f"Locust, {args.users} users",
                        lambda: run_locust(server.url, task_ids, args.rate, args.users, args.seconds, Path(tmp)),
                    ),
                    (
                        f"asyncio, {args.connections} connections",
                        lambda: run_asyncio_client(server.url, task_ids, args.rate, args.connections, args.seconds),
                    ),
                ]
                for client, run in clients:
                    before = counts(api)
                    summary = run()
                    after = counts(api)
                    results.append(
                        {"phase": name, "client": client, "tasks_before": before, "tasks_after": after, **summary}
                    )
                    rows.append(
                        [
                            name,
                            client,
                            summary["requests"],
                            f"{summary['rate']:.1f}",
                            f"{summary['p50']:.1f}",
                            f"{summary['p95']:.1f}",
                            f"{summary['p99']:.1f}",
                            f"{summary['max']:.0f}",
                            summary["errors"],
                        ]
                    )
                    print(f"{name} / {client}: tasks before {before}, after {after}", file=sys.stderr)
        finally:
            server.stop()
    print(
        f"GET {ENDPOINT} at {args.rate:g} requests/s, {args.seconds} s per run, {os.cpu_count()} cores, "
        f"load average before: {load_before}\n"
    )
    print(
        markdown_table(
            ["phase", "client", "requests", "achieved req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors"], rows
        )
    )
    print("\ncommand: .venv/bin/python bench/bench_status_polling.py " + " ".join(sys.argv[1:]))
    (BENCH / "results").mkdir(exist_ok=True)
    (BENCH / "results" / "status_polling.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
