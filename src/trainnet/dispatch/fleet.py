"""The fleet: what the live workers (a recent heartbeat) say about themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from trainnet.db.tables import Worker
from trainnet.dispatch.policy import Policy


@dataclass(frozen=True)
class Fleet:
    """The live workers' names, the jobs they run, and the queues with an idle worker."""

    live: frozenset[str]
    busy: frozenset[str]
    idle_queues: frozenset[str]


def fleet(session: Session, now: datetime, policy: Policy) -> Fleet:
    cutoff = now - timedelta(seconds=policy.worker_timeout_seconds)
    workers = list(session.scalars(select(Worker).where(Worker.last_heartbeat >= cutoff)))
    return Fleet(
        live=frozenset(w.name for w in workers),
        busy=frozenset(job for w in workers for job in (w.jobs or [])),
        idle_queues=frozenset(q for w in workers if not w.jobs for q in (w.queues or [])),
    )
