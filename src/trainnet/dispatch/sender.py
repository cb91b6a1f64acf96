"""A `Dispatch` (a Celery task to send) and the sender that hands dispatches to the broker after the database
transaction that decided them has committed."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("trainnet.dispatch")


@dataclass(frozen=True)
class Dispatch:
    """A Celery task to send: `payload` is its single argument, or its keyword arguments when `as_kwargs`."""

    name: str
    payload: dict[str, Any]
    queue: str
    as_kwargs: bool = False


class CeleryDispatcher:
    def __init__(self, celery_app: Any):
        self.app = celery_app

    def send(self, dispatches: Iterable[Dispatch]) -> None:
        for d in dispatches:
            try:
                args, kwargs = ([], d.payload) if d.as_kwargs else ([d.payload], {})
                self.app.send_task(
                    d.name,
                    args=args,
                    kwargs=kwargs,
                    queue=d.queue,
                    retry=True,
                    retry_policy={"max_retries": 5, "interval_start": 0.2, "interval_step": 0.5},
                )
            except Exception:  # the sweeper re-dispatches it once the broker is back
                log.exception("could not send %s for %s", d.name, d.payload.get("task_id"))
