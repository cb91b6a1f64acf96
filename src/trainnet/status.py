"""Statuses of tasks, rounds, shards and datasets, with the transitions each allows, in one place.

`advance(kind, current, new)` is the only way a status changes: an illegal jump raises instead of silently
overwriting (e.g. a late shard report cannot move a finished task back to running).
"""

from __future__ import annotations

from enum import StrEnum


class TaskStatus(StrEnum):
    PENDING = "pending"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    ERROR = "error"


class RoundStatus(StrEnum):
    RUNNING = "running"
    FINALIZING = "finalizing"
    DONE = "done"
    ERROR = "error"


class ShardStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class DatasetStatus(StrEnum):
    UPLOADED = "UPLOADED"
    GENERATING = "GENERATING"
    GENERATED = "GENERATED"
    VALIDATING = "VALIDATING"
    READY_FOR_FINE_TUNING = "READY_FOR_FINE_TUNING"
    DELETED = "DELETED"
    ERROR = "error"


class LoraJobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    ERROR = "error"


_ALLOWED: dict[type, dict[str, set[str]]] = {
    TaskStatus: {
        "pending": {"queued", "error"},
        "queued": {"running", "error"},
        "running": {"done", "error"},
        "done": set(),
        "error": set(),
    },
    RoundStatus: {
        "running": {"finalizing", "error"},
        "finalizing": {"running", "done", "error"},  # back to running: a finalizer died and is re-dispatched
        "done": set(),
        "error": set(),
    },
    ShardStatus: {
        "queued": {"running", "done", "failed"},
        "running": {"queued", "done", "failed"},  # back to queued: its worker died, the shard is re-dispatched
        "done": set(),
        "failed": {"queued"},
    },
    DatasetStatus: {
        "UPLOADED": {"VALIDATING", "GENERATING"},
        "GENERATING": {"GENERATED", "error"},
        "GENERATED": {"VALIDATING"},
        "VALIDATING": {"READY_FOR_FINE_TUNING", "DELETED", "error"},
        "READY_FOR_FINE_TUNING": {"VALIDATING"},
        "DELETED": set(),
        "error": {"VALIDATING"},
    },
    LoraJobStatus: {
        "queued": {"running", "error"},
        "running": {"queued", "done", "error"},
        "done": set(),
        "error": set(),
    },
}


class IllegalTransition(ValueError):
    pass


def can_advance(kind: type[StrEnum], current: str, new: str) -> bool:
    return current == new or new in _ALLOWED[kind][current]


def advance(kind: type[StrEnum], current: str, new: str) -> str:
    """Return `new` if `current -> new` is allowed for this kind of status, else raise IllegalTransition."""
    kind(new)
    if not can_advance(kind, current, new):
        raise IllegalTransition(f"{kind.__name__} cannot go from {current} to {new}")
    return new
