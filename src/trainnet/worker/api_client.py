"""How workers talk to the API: progress and results, with retries so that an API restart loses nothing."""

from __future__ import annotations

import logging
import time

import httpx

log = logging.getLogger("trainnet.worker")


class ApiError(RuntimeError):
    """The API refused a report (4xx): retrying will not help."""


class ApiClient:
    """The `Reporter` used by worker jobs. Transport errors and 5xx are retried with backoff for up to
    `give_up_after` seconds; the token is sent as a bearer header and never logged."""

    def __init__(
        self, base_url: str, token: str, give_up_after: float = 600.0, timeout: float = 10.0, quiet: bool = False
    ):
        self._client = httpx.Client(
            base_url=base_url.rstrip("/") + "/api", timeout=timeout, headers={"Authorization": f"Bearer {token}"}
        )
        self.give_up_after = give_up_after
        self.retry_level = logging.DEBUG if quiet else logging.WARNING

    def request(self, method: str, path: str, payload: dict | None = None) -> dict:
        deadline = time.monotonic() + self.give_up_after
        delay = 0.2
        while True:
            try:
                response = self._client.request(method, path, json=payload)
                if response.status_code < 500:
                    if response.status_code >= 400:
                        raise ApiError(f"{method} {path}: {response.status_code} {response.text[:300]}")
                    return response.json() if response.content else {}
                problem = f"HTTP {response.status_code}"
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}: {exc}"
            if time.monotonic() + delay > deadline:
                raise ConnectionError(f"API unreachable for {self.give_up_after:.0f}s ({method} {path}: {problem})")
            log.log(self.retry_level, "API call %s %s failed (%s); retrying in %.1fs", method, path, problem, delay)
            time.sleep(delay)
            delay = min(delay * 2, 10.0)

    def task_status(self, task_id: str, status: str, error: str | None = None, progress: float | None = None) -> None:
        self.request("PATCH", f"/tasks/{task_id}/status", {"status": status, "error": error, "progress": progress})

    def prepared(self, task_id: str, info: dict) -> None:
        self.request("PUT", f"/tasks/{task_id}/preparation", {"info": info})

    def shard(self, task_id: str, round_: int, index: int, status: str, **fields) -> bool:
        body = self.request("PUT", f"/tasks/{task_id}/rounds/{round_}/shards/{index}", {"status": status, **fields})
        return bool(body.get("proceed"))

    def round(self, task_id: str, round_: int, status: str, **fields) -> bool:
        body = self.request("PUT", f"/tasks/{task_id}/rounds/{round_}", {"status": status, **fields})
        return bool(body.get("proceed"))

    def task_state(self, task_id: str) -> str:
        return self.request("GET", f"/tasks/{task_id}/status")["status"]

    def round_metrics(self, task_id: str) -> list[dict]:
        task = self.request("GET", f"/tasks/{task_id}")
        return [r["metrics"] for r in task["rounds"] if r.get("metrics") and r["status"] == "done"]

    def dataset(self, dataset_id: str, status: str, **fields) -> None:
        self.request("PATCH", f"/datasets/{dataset_id}/status", {"status": status, **fields})

    def lora(self, job_id: str, status: str, **fields) -> bool:
        return bool(self.request("PUT", f"/lora/{job_id}", {"status": status, **fields}).get("proceed"))

    def heartbeat(self, worker: dict) -> None:
        self.request("POST", "/workers/heartbeat", worker)

    def leave(self, name: str) -> None:
        self.request("DELETE", f"/workers/{name}")
