"""Shared fixtures: small real datasets, a real `trainnet serve` process with embedded workers, and standalone
`trainnet worker` processes."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
TINY_DISTILBERT = {"n_layers": 1, "dim": 32, "hidden_dim": 64, "n_heads": 2, "tokenizer_vocab_size": 300}
TINY_MOBILENET = {"depth_multiplier": 0.35}
POSITIVE = [
    "great movie loved it",
    "wonderful acting and story",
    "brilliant and fun",
    "i enjoyed every minute",
    "superb film",
    "a delight from start to end",
]
NEGATIVE = [
    "terrible movie hated it",
    "boring and awful",
    "worst film ever",
    "i fell asleep",
    "dreadful acting",
    "a waste of two hours",
]


def text_rows(n_per_class: int = 30, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for i in range(n_per_class):
        rows.append({"text": f"{rng.choice(POSITIVE)} {i}", "label": "pos"})
        rows.append({"text": f"{rng.choice(NEGATIVE)} {i}", "label": "neg"})
    return rows


def to_csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def digits_rows(n: int = 120) -> list[dict]:
    from sklearn.datasets import load_digits

    digits = load_digits()
    rows = []
    for x, y in list(zip(digits.data, digits.target))[:n]:
        row = {"label": int(y)}
        row.update({f"pixel{i}": int(v * 16) for i, v in enumerate(x)})
        rows.append(row)
    return rows


def digit_images(n: int = 120) -> list[tuple[str, bytes]]:
    """sklearn's 8x8 digits as real PNG files: (label, PNG bytes), the same pixels as `digits_rows`."""
    import numpy as np
    from PIL import Image
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = []
    for pixels, label in list(zip(digits.images, digits.target))[:n]:
        buffer = io.BytesIO()
        Image.fromarray(np.clip(pixels * 16, 0, 255).astype(np.uint8), "L").save(buffer, format="PNG")
        images.append((str(label), buffer.getvalue()))
    return images


def png_header(width: int, height: int) -> bytes:
    """A PNG claiming width x height with an empty IDAT (57 bytes): a decompression bomb's header."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"") + chunk(b"IEND", b"")


def class_folder_zip(images: list[tuple[str, bytes]], root: str = "") -> bytes:
    """A zip of `root` + `<label>/<n>.png`, as people keep image datasets (torchvision's ImageFolder layout)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for i, (label, content) in enumerate(images):
            archive.writestr(f"{root}{label}/{i:04d}.png", content)
    return buffer.getvalue()


def metadata_zip(images: list[tuple[str, bytes]], metadata: str = "metadata.csv") -> bytes:
    """The same images flat in `images/`, labelled by a metadata.csv or .jsonl (Hugging Face's imagefolder)."""
    rows = [{"file_name": f"images/{i:04d}.png", "label": label} for i, (label, _) in enumerate(images)]
    text = to_csv(rows) if metadata.endswith(".csv") else "".join(json.dumps(r) + "\n" for r in rows).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(metadata, text)
        for i, (_, content) in enumerate(images):
            archive.writestr(f"images/{i:04d}.png", content)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def text_csv() -> bytes:
    return to_csv(text_rows())


@pytest.fixture(scope="session")
def digits_csv() -> bytes:
    return to_csv(digits_rows())


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    path = REPO / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """A real `trainnet serve` in its own process group: the API with embedded workers, or the API alone
    (`no_workers=True`) for a fleet of `WorkerProcess`es on a real broker."""

    def __init__(
        self,
        data_dir: Path,
        workers: int = 2,
        extra_env: dict | None = None,
        port: int | None = None,
        no_workers: bool = False,
    ):
        self.data_dir, self.workers, self.no_workers = data_dir, workers, no_workers
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "TRAINNET_SWEEP_INTERVAL": "1",
            "TRAINNET_WORKER_HEARTBEAT": "1",
            "HF_HUB_OFFLINE": "1",
            **(extra_env or {}),
        }
        self.env.pop("TRAINNET_API_URL", None)
        self.process: subprocess.Popen | None = None
        self.log_path = data_dir.parent / f"serve-{self.port}.log"

    def start(self, wait_for_workers: bool = True) -> ServerProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "a")
        command = [
            sys.executable,
            "-m",
            "trainnet",
            "serve",
            "--port",
            str(self.port),
            "--data-dir",
            str(self.data_dir),
        ]
        command += ["--no-workers"] if self.no_workers else ["--workers", str(self.workers)]
        self.process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=self.env, start_new_session=True
        )
        self.wait_until_up(wait_for_workers and not self.no_workers)
        return self

    def wait_until_up(self, wait_for_workers: bool, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"server exited: {self.log_path.read_text()[-3000:]}"
            try:
                workers = httpx.get(self.url + "/api/workers", timeout=2).json()
                if not wait_for_workers or len(workers) >= self.workers:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        raise TimeoutError(f"server not up: {self.log_path.read_text()[-3000:]}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, sig)
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        # embedded workers live in their own sessions: make sure none outlives the test (a server killed with
        # SIGKILL cannot stop them itself)
        for pid in self.worker_pids():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)

    def worker_pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-f", "trainnet worker"], capture_output=True, text=True).stdout.split()
        mine = []
        for pid in map(int, out):
            try:
                environ = Path(f"/proc/{pid}/environ").read_bytes()
            except OSError:
                continue
            if f"TRAINNET_DATA_DIR={self.data_dir.resolve()}\0".encode() in environ + b"\0":
                mine.append(pid)
        return mine


class WorkerProcess:
    """A standalone `trainnet worker` started as a user would, in its own process group, reading `env`."""

    def __init__(self, name: str, env: dict, data_dir: Path, queues: str = "cpu_queue,gpu_queue"):
        self.name, self.queues, self.data_dir = name, queues, data_dir
        self.node = f"{name}@{socket.gethostname()}"
        self.env = {
            **os.environ,
            "HF_HUB_OFFLINE": "1",
            "TRAINNET_TORCH_THREADS": "1",
            **env,
            "TRAINNET_DATA_DIR": str(data_dir),
        }
        self.log_path = data_dir.parent / f"worker-{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> WorkerProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "trainnet", "worker", "--queues", self.queues, "--name", f"{self.name}@%h"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=self.env,
            start_new_session=True,
        )
        return self

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the worker's whole process group (kill -9 by default) and reap it."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
        self.process.wait(30)

    def stop(self) -> None:
        if not self.alive:
            return
        try:
            self.kill(signal.SIGTERM)
        except subprocess.TimeoutExpired:
            self.kill(signal.SIGKILL)

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""


@pytest.fixture(scope="session")
def live_server_process(tmp_path_factory) -> ServerProcess:
    """A real `trainnet serve` with two embedded workers, shared by the end-to-end tests."""
    server = ServerProcess(tmp_path_factory.mktemp("live") / "data").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def live_server(live_server_process) -> str:
    """Base URL of the shared `trainnet serve`."""
    return live_server_process.url


@pytest.fixture
def api(live_server) -> httpx.Client:
    with httpx.Client(base_url=live_server, timeout=60) as client:
        yield client


def wait_for_task(client: httpx.Client, task_id: str, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(f"/api/tasks/{task_id}/status").json()
        if status["status"] in ("done", "error"):
            return client.get(f"/api/tasks/{task_id}").json()
        time.sleep(0.5)
    raise TimeoutError(f"task {task_id} still {status} after {timeout}s")


def missing_tool(message: str):
    """Skip on a developer machine that lacks a server or browser; fail in CI, where `make test-deps`
    installs them, so a missing dependency can never pass as green."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
