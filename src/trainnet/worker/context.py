"""What a worker process holds for its whole life: settings, storage, the API client, its name and the
jobs it is running (sent in heartbeats so the coordinator knows what is alive)."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from contextlib import contextmanager
from functools import cached_property

from trainnet.settings import get_settings
from trainnet.storage import make_storage
from trainnet.worker.api_client import ApiClient

log = logging.getLogger("trainnet.worker")


class WorkerContext:
    def __init__(self):
        self.settings = get_settings()
        self.name = f"worker-{os.getpid()}@{socket.gethostname()}"
        self.queues: list[str] = []
        self.jobs: list[str] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()

    @cached_property
    def storage(self):
        return make_storage(self.settings)

    @cached_property
    def api(self) -> ApiClient:
        return ApiClient(self.settings.api_url, self.settings.resolved_worker_token())

    @cached_property
    def buckets(self) -> dict:
        return {
            "artifacts": self.settings.artifacts_bucket,
            "models": self.settings.models_bucket,
            "datasets": self.settings.datasets_bucket,
            "lora": self.settings.lora_bucket,
        }

    @contextmanager
    def running(self, job: str):
        with self._lock:
            self.jobs.append(job)
        try:
            yield
        finally:
            with self._lock:
                self.jobs.remove(job)

    def snapshot(self) -> dict:
        with self._lock:
            jobs = list(self.jobs)
        return {
            "name": self.name,
            "hostname": socket.gethostname(),
            "pid": os.getpid(),
            "queues": self.queues,
            "jobs": jobs,
        }

    def start_heartbeat(self) -> None:
        client = ApiClient(self.settings.api_url, self.settings.resolved_worker_token(), give_up_after=2.0, quiet=True)

        def beat():
            while not self._stop.is_set():
                try:
                    client.heartbeat(self.snapshot())
                except Exception as exc:  # the API may be restarting; the next beat will tell it
                    log.debug("heartbeat failed: %s", exc)
                self._stop.wait(self.settings.worker_heartbeat_seconds)

        threading.Thread(target=beat, name="trainnet-heartbeat", daemon=True).start()

    def stop_heartbeat(self) -> None:
        self._stop.set()
        with contextlib.suppress(Exception):
            ApiClient(self.settings.api_url, self.settings.resolved_worker_token(), give_up_after=1.0).leave(self.name)


context = WorkerContext()
