"""Live workers, as told by their heartbeats."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter
from sqlalchemy import delete, select

from trainnet.api.deps import SessionDep, SettingsDep, WorkerAuth
from trainnet.api.schemas import Heartbeat, WorkerOut
from trainnet.db.tables import Worker, utcnow

router = APIRouter(prefix="/workers", tags=["workers"])


@router.get("", response_model=list[WorkerOut])
def list_workers(session: SessionDep, settings: SettingsDep) -> list[WorkerOut]:
    cutoff = utcnow() - timedelta(seconds=3 * settings.worker_heartbeat_seconds)
    workers = session.scalars(select(Worker).where(Worker.last_heartbeat >= cutoff).order_by(Worker.name))
    return [
        WorkerOut(
            name=w.name,
            hostname=w.hostname,
            queues=w.queues,
            active_jobs=len(w.jobs or []),
            jobs=w.jobs or [],
            last_heartbeat=w.last_heartbeat,
            started_at=w.started_at,
        )
        for w in workers
    ]


@router.post("/heartbeat", status_code=204, dependencies=[WorkerAuth])
def heartbeat(beat: Heartbeat, session: SessionDep) -> None:
    worker = session.get(Worker, beat.name) or Worker(name=beat.name, started_at=utcnow())
    worker.hostname, worker.pid, worker.queues, worker.jobs = beat.hostname, beat.pid, beat.queues, beat.jobs
    worker.last_heartbeat = utcnow()
    session.add(worker)


@router.delete("/{name}", status_code=204, dependencies=[WorkerAuth])
def leave(name: str, session: SessionDep) -> None:
    session.execute(delete(Worker).where(Worker.name == name))
