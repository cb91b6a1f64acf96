"""The embedded default: worker processes started and supervised by `trainnet serve`, on the SQLite broker."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time

log = logging.getLogger("trainnet.serve")
# Training is batch work and the API answers people: on a machine the two share, the API must get a core the
# moment a request arrives, not after the workers' time slices (see the status-polling bench).
WORKER_NICENESS = 19


class EmbeddedWorkers:
    """Start `count` worker processes and restart any that exits while the server runs."""

    def __init__(self, count: int, queues: str, env: dict[str, str]):
        self.count, self.queues, self.env = count, queues, env
        self.processes: list[subprocess.Popen | None] = [None] * count
        self._stop = threading.Event()
        self._monitor = threading.Thread(target=self._supervise, name="trainnet-embedded-workers", daemon=True)

    def _spawn(self, index: int) -> subprocess.Popen:
        command = [sys.executable, "-m", "trainnet", "worker", "--queues", self.queues,
                   "--name", f"embedded-{index}@%h"]
        return subprocess.Popen(command, env=self.env, start_new_session=True, preexec_fn=_start_worker)

    def start(self) -> None:
        for i in range(self.count):
            self.processes[i] = self._spawn(i)
        self._monitor.start()

    def _supervise(self) -> None:
        while not self._stop.wait(1.0):
            for i, process in enumerate(self.processes):
                if process is not None and process.poll() is not None and not self._stop.is_set():
                    log.warning("embedded worker %d exited with %s; restarting it", i, process.returncode)
                    self.processes[i] = self._spawn(i)

    def stop(self, grace: float = 5.0) -> None:
        self._stop.set()
        alive = [p for p in self.processes if p is not None and p.poll() is None]
        for p in alive:
            _signal_group(p, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for p in alive:
            try:
                p.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(p, signal.SIGKILL)  # kombu's SQL transport can hang on warm shutdown
                p.wait()


def _start_worker() -> None:
    """In the child before exec: run at a lower CPU priority than the API, and die with `trainnet serve`."""
    os.nice(WORKER_NICENESS)
    _die_with_parent()


def _die_with_parent() -> None:
    """Linux: have the kernel kill an embedded worker when `trainnet serve` dies, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass


def default_worker_count() -> int:
    return max(1, min(4, os.cpu_count() or 1))
