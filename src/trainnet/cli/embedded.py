"""The embedded default: worker processes (on the SQLite broker) and the sweeper, started and supervised by
`trainnet serve`."""

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
# moment a request arrives, not after the workers' time slices (see the status-polling bench). On Linux the
# workers also take the SCHED_IDLE policy: a waking API thread then preempts them at once, where nice 19 alone
# still lets a worker finish its slice first. Training keeps every cycle nothing else wants.
WORKER_NICENESS = 19


class EmbeddedProcesses:
    """The processes `trainnet serve` runs beside the API: `count` workers (unless 0) and the sweeper. Restarts any
    that exits while the server runs."""

    def __init__(self, count: int, queues: str, env: dict[str, str]):
        self.env = env
        self.commands = [["worker", "--queues", queues, "--name", f"embedded-{i}@%h"] for i in range(count)]
        self.commands.append(["sweeper"])
        self.processes: list[subprocess.Popen | None] = [None] * len(self.commands)
        self._stop = threading.Event()
        self._monitor = threading.Thread(target=self._supervise, name="trainnet-embedded", daemon=True)

    def _spawn(self, index: int) -> subprocess.Popen:
        command = [sys.executable, "-m", "trainnet", *self.commands[index]]
        if self.commands[index][0] == "worker":  # its own process group: a worker's Celery children are stopped with it
            return subprocess.Popen(command, env=self.env, start_new_session=True, preexec_fn=_start_worker)
        return subprocess.Popen(command, env=self.env, preexec_fn=_die_with_parent)

    def start(self) -> None:
        for i in range(len(self.commands)):
            self.processes[i] = self._spawn(i)
        self._monitor.start()

    def _supervise(self) -> None:
        while not self._stop.wait(1.0):
            for i, process in enumerate(self.processes):
                if process is not None and process.poll() is not None and not self._stop.is_set():
                    log.warning("embedded %s exited with %s; restarting it", self.commands[i][0], process.returncode)
                    self.processes[i] = self._spawn(i)

    def stop(self, grace: float = 5.0) -> None:
        self._stop.set()
        alive = [p for p in self.processes if p is not None and p.poll() is None]
        for p in alive:
            signal_group(p, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for p in alive:
            try:
                p.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                signal_group(p, signal.SIGKILL)  # kombu's SQL transport can hang on warm shutdown
                p.wait()


def _start_worker() -> None:
    """In the child before exec: run at a lower CPU priority than the API, and die with `trainnet serve`."""
    os.nice(WORKER_NICENESS)
    if hasattr(os, "SCHED_IDLE"):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    _die_with_parent()


def _die_with_parent() -> None:
    """Linux: have the kernel kill an embedded worker when `trainnet serve` dies, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def signal_group(process: subprocess.Popen, sig: int) -> None:
    """Signal a worker's process group, or the sweeper alone (it shares the server's group)."""
    try:
        if os.getpgid(process.pid) == process.pid:
            os.killpg(process.pid, sig)
        else:
            process.send_signal(sig)
    except ProcessLookupError:
        pass


def default_worker_count() -> int:
    return max(1, min(4, os.cpu_count() or 1))
