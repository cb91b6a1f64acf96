"""Real servers for the scale-out tests: Redis, PostgreSQL and an S3 endpoint (moto over HTTP), started once per
session on free loopback ports and stopped at the end, plus the stack users deploy on them: `trainnet serve
--no-workers` and two `trainnet worker` processes."""

from __future__ import annotations

import contextlib
import glob
import logging
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import TINY_DISTILBERT, ServerProcess, WorkerProcess, free_port, missing_tool, text_rows, to_csv

# Short enough that the sweeper repairs a fault within seconds, long enough that a shard loading its model
# (no progress report for a few seconds on a busy machine) is not taken for dead.
FAST_RECOVERY = {
    "TRAINNET_SWEEP_INTERVAL": "1",
    "TRAINNET_WORKER_HEARTBEAT": "1",
    "TRAINNET_SHARD_LEASE_SECONDS": "20",
    "TRAINNET_TORCH_THREADS": "1",
    "HF_HUB_OFFLINE": "1",
}


def wait_until(condition, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if value := condition():
                return value
        time.sleep(interval)
    raise TimeoutError(f"{what} within {timeout:.0f}s")


# Small batches and several epochs make a shard of the tiny model last seconds: long enough to be hit mid-way.
SLOW_SHARDS = {"model_type": "distilbert", "model_config": TINY_DISTILBERT, "batch_size": 2, "epochs": 40}


def submit(api: httpx.Client, rows_per_class: int = 30, **request) -> str:
    upload = api.post("/api/datasets", files={"file": ("reviews.csv", to_csv(text_rows(rows_per_class)))})
    assert upload.status_code == 201, upload.text
    response = api.post(
        "/api/train",
        json={"dataset_id": upload.json()["dataset_id"], "num_shards": 2, "rounds": 1, **SLOW_SHARDS, **request},
    )
    assert response.status_code == 202, response.text
    return response.json()["task_id"]


def shard_mid_way(api: httpx.Client, task_id: str, timeout: float = 180) -> dict:
    """A shard that has started its optimizer steps and is far from done."""

    def find():
        shards = api.get(f"/api/tasks/{task_id}").json()["shards"]
        return next((s for s in shards if s["status"] == "running" and 0 < s["progress"] <= 50), None)

    return wait_until(find, timeout, f"no shard of {task_id} was seen mid-way", interval=0.1)


def assert_nothing_lost(task: dict, rounds: int = 1, shards: int = 2) -> None:
    assert task["status"] == "done", task["error"]
    assert [r["round"] for r in task["rounds"]] == list(range(rounds))
    for r in task["rounds"]:
        assert r["status"] == "done" and r["shards_used"] == list(range(shards)) and r["rows_covered"] == 1.0
    assert len(task["shards"]) == rounds * shards and all(s["status"] == "done" for s in task["shards"])
    assert task["model_id"]


class RedisServer:
    """`redis-server` without persistence: a restart loses every queued message, the worst case for recovery."""

    def __init__(self, workdir: Path, port: int | None = None, password: str | None = None):
        self.workdir, self.port, self.password = workdir, port or free_port(), password
        self.process: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
                *(["--requirepass", self.password] if self.password else []),
            ],
            stdout=open(self.workdir / "redis.log", "a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        import redis

        wait_until(
            lambda: redis.Redis(port=self.port, password=self.password, socket_timeout=1).ping(),
            20,
            "redis did not answer",
        )
        return self

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(20)

    def restart(self, down_for: float = 2.0) -> None:
        self.stop(signal.SIGKILL)
        time.sleep(down_for)
        self.start()


class PostgresServer:
    """A throw-away PostgreSQL cluster (initdb + pg_ctl, run as the `postgres` user when we are root)."""

    def __init__(self, port: int | None = None):
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        self.bin = Path(found[-1]).parent if found else Path(shutil.which("pg_ctl") or "pg_ctl").parent
        self.port = port or free_port()
        self.root = Path(tempfile.mkdtemp(prefix="trainnet-pg-"))
        self.data = self.root / "data"
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
            self.as_owner = ["runuser", "-u", "postgres", "--"]
        else:
            self.as_owner = []

    def _run(self, *command: str) -> None:
        subprocess.run([*self.as_owner, *command], check=True, capture_output=True, cwd=self.root)

    def start(self) -> PostgresServer:
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "trainnet", "--auth=trust", "-E", "UTF8", "--no-sync"
        )
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "pg.log"),
            "-w",
            "-t",
            "60",
            "start",
        )
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://trainnet@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=trainnet dbname=postgres", autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


class S3Server:
    """moto's S3 over real HTTP on loopback (the same boto3 calls MinIO, Supabase Storage or AWS S3 answer)."""

    access_key, secret_key = "trainnet-test", "trainnet-test-secret"

    def __init__(self, port: int | None = None):
        from moto.server import ThreadedMotoServer

        self.port = port or free_port()
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> S3Server:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
        self.server.start()
        wait_until(
            lambda: httpx.get(f"http://{self.endpoint}/", timeout=2).status_code < 500, 20, "moto did not answer"
        )
        return self

    def stop(self) -> None:
        self.server.stop()

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=f"http://{self.endpoint}",
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name="us-east-1",
        )


def _require(program: str) -> None:
    if shutil.which(program) is None and not glob.glob(f"/usr/lib/postgresql/*/bin/{program}"):
        missing_tool(f"{program} is not installed (`make test-deps` installs the Debian packages)")


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    _require("redis-server")
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop(signal.SIGKILL)


@pytest.fixture(scope="session")
def postgres_server():
    _require("pg_ctl")
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def s3_server():
    server = S3Server().start()
    yield server
    server.stop()


def services_env(redis_server: RedisServer, database_url: str, s3_server: S3Server, token: str) -> dict:
    """The environment a deployment sets, with the seed's names: database, broker, storage, worker token."""
    return {
        "DATABASE_URL": database_url,
        "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": str(redis_server.port),
        "MINIO_ENDPOINT": s3_server.endpoint,
        "MINIO_ACCESS_KEY": s3_server.access_key,
        "MINIO_SECRET_KEY": s3_server.secret_key,
        "MINIO_SECURE": "false",
        "TRAINNET_WORKER_TOKEN": token,
        **FAST_RECOVERY,
    }


class Stack:
    """`trainnet serve --no-workers` and standalone workers, on Redis + PostgreSQL + S3."""

    def __init__(self, root: Path, env: dict, redis_server: RedisServer, s3_server: S3Server, worker_count: int = 2):
        self.root, self.env, self.redis, self.s3 = root, env, redis_server, s3_server
        self.api = ServerProcess(root / "api" / "data", extra_env=env, no_workers=True)
        self.url = self.api.url
        self.worker_env = {**env, "TRAINNET_API_URL": self.url}
        self.workers: list[WorkerProcess] = []
        self.worker_count = worker_count
        self._spawned = 0

    def start(self) -> Stack:
        self.api.start()
        self.heal()
        return self

    def _new_worker(self) -> WorkerProcess:
        self._spawned += 1
        name = f"w{self._spawned}"
        return WorkerProcess(name, self.worker_env, self.root / name / "data").start()

    def heal(self, timeout: float = 180) -> None:
        """Bring the stack back to full strength after a fault: Redis, the API and every worker up."""
        if self.redis.process.poll() is not None:
            self.redis.start()
        if self.api.process.poll() is not None:
            self.restart_api(down_for=0)
        self.workers = [w for w in self.workers if w.alive]
        while len(self.workers) < self.worker_count:
            self.workers.append(self._new_worker())
        wanted = {w.node for w in self.workers}
        wait_until(
            lambda: wanted <= {w["name"] for w in self.live_workers()},
            timeout,
            f"workers {sorted(wanted)} did not report: " + " | ".join(w.log_tail(1500) for w in self.workers),
        )

    def live_workers(self) -> list[dict]:
        return httpx.get(self.url + "/api/workers", timeout=5).json()

    def worker_named(self, node: str) -> WorkerProcess:
        return next(w for w in self.workers if w.node == node)

    def restart_api(self, down_for: float = 3.0, sig: int = signal.SIGKILL) -> None:
        self.api.stop(sig)
        time.sleep(down_for)
        self.api.start(wait_for_workers=False)

    def stop(self) -> None:
        for worker in self.workers:  # all at once: each finishes its warm shutdown in parallel
            if worker.alive:
                os.killpg(worker.process.pid, signal.SIGTERM)
        for worker in self.workers:
            worker.stop()
        self.api.stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory, redis_server, postgres_server, s3_server):
    """One deployment shared by the services tests; each test leaves it healed for the next (`healthy_stack`)."""
    env = services_env(
        redis_server, postgres_server.create_database("trainnet_stack"), s3_server, secrets.token_urlsafe(24)
    )
    deployment = Stack(tmp_path_factory.mktemp("stack"), env, redis_server, s3_server)
    try:
        yield deployment.start()
    finally:
        deployment.stop()


@pytest.fixture
def healthy_stack(stack):
    stack.heal()
    return stack
