"""The rules both pipelines share for work sent to workers: how long a job may go unheard of (the lease), when a
worker counts as dead, how workers name their jobs in heartbeats."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from trainnet.dispatch.messages import CPU_QUEUE


@dataclass(frozen=True)
class Policy:
    """The dispatch knobs, taken from the settings."""

    queue: str = CPU_QUEUE
    lease_seconds: float = 120.0
    worker_timeout_seconds: float = 15.0
    time_limit_seconds: float = 0.0  # a training task's wall-time limit from its start; 0: none

    @classmethod
    def from_settings(cls, settings: Any) -> Policy:
        return cls(
            queue=settings.train_queue,
            lease_seconds=settings.shard_lease_seconds,
            worker_timeout_seconds=3 * settings.worker_heartbeat_seconds,
            time_limit_seconds=settings.task_time_limit_seconds,
        )


def job_key(*parts: object) -> str:
    """How workers name their current job in heartbeats, e.g. `train_shard:task_x:0:1`."""
    return ":".join(str(p) for p in parts)


def older(moment: datetime | None, now: datetime, seconds: float) -> bool:
    """Whether `moment` is more than `seconds` before `now` (never set counts as old)."""
    if moment is None:
        return True
    return (now - moment).total_seconds() > seconds
