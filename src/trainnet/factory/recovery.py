"""Re-send pipeline B jobs (generate, validate, fine-tune LoRA) whose worker died or whose message was lost.

Each of these jobs is one Celery message, recorded on its dataset or LoRA job row when it is sent. Redis
redelivers an unacknowledged message after its visibility timeout, but the embedded broker does not, so the
sweeper re-sends a job that no live worker reports as running once it has waited longer than the lease while a
worker of its queue sits idle. The jobs resume from what they stored (generated records, the Optuna study), so
a duplicate costs time, never data.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from trainnet.db.tables import Dataset, LoraJob, utcnow
from trainnet.dispatch.fleet import fleet
from trainnet.dispatch.policy import Policy, job_key, older
from trainnet.dispatch.sender import Dispatch
from trainnet.factory.jobs import record_dispatch
from trainnet.status import DatasetStatus, LoraJobStatus

JOB_KIND = {DatasetStatus.GENERATING: "generate", DatasetStatus.VALIDATING: "validate"}


def sweep(session: Session, policy: Policy, now: datetime | None = None) -> list[Dispatch]:
    """Dispatches to re-send: active jobs no live worker runs, sent over `policy.lease_seconds` ago, whose
    queue has an idle worker (a busy fleet explains the wait; an idle one means the message is gone)."""
    now = now or utcnow()
    workers = fleet(session, now, policy)
    active: list[tuple[str, Dataset | LoraJob]] = [
        (job_key(JOB_KIND[DatasetStatus(d.status)], d.id), d)
        for d in session.scalars(select(Dataset).where(Dataset.status.in_(list(JOB_KIND))))
    ]
    active += [
        (job_key("lora", j.id), j)
        for j in session.scalars(
            select(LoraJob).where(LoraJob.status.in_([LoraJobStatus.QUEUED, LoraJobStatus.RUNNING]))
        )
    ]
    dispatches = []
    for key, row in active:
        if row.job is None or key in workers.busy or row.job["queue"] not in workers.idle_queues:
            continue
        if older(row.dispatched_at, now, policy.lease_seconds):
            dispatches.append(record_dispatch(row, Dispatch(**row.job), now))
    return dispatches
