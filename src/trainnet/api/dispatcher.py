"""Sending the coordinator's dispatches to the broker, after the database transaction has committed."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from trainnet.federated.coordinator import Dispatch

log = logging.getLogger("trainnet.api")


class CeleryDispatcher:
    def __init__(self, celery_app):
        self.app = celery_app

    def send(self, dispatches: Iterable[Dispatch]) -> None:
        for d in dispatches:
            try:
                args, kwargs = ([], d.payload) if d.as_kwargs else ([d.payload], {})
                self.app.send_task(d.name, args=args, kwargs=kwargs, queue=d.queue, retry=True,
                                   retry_policy={"max_retries": 5, "interval_start": 0.2, "interval_step": 0.5})
            except Exception:  # the sweeper re-dispatches it once the broker is back
                log.exception("could not send %s for %s", d.name, d.payload.get("task_id"))
