"""The sweeper: every few seconds it asks each pipeline to repair its lost work, in one transaction, and sends
what they return. Federated training (`federated.recovery`) re-sends jobs whose worker died or whose message was
lost, finalizes rounds whose trigger was lost and ends tasks over their wall-time limit; the factory
(`factory.recovery`) re-sends lost generate, validate and LoRA jobs. Duplicates are harmless: every job is
idempotent.

`trainnet serve` runs it as a process of its own beside the API (`trainnet sweeper`). A sweep is tens of
milliseconds of ORM work with the write lock held; in the API's process it stalled every request on the event
loop for as long (status-polling bench, docs/benchmarks.md).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from trainnet.db.session import session_scope
from trainnet.dispatch.policy import Policy
from trainnet.dispatch.sender import CeleryDispatcher, Dispatch
from trainnet.factory import recovery as factory_recovery
from trainnet.federated import recovery as federated_recovery
from trainnet.settings import Settings

log = logging.getLogger("trainnet.sweeper")

Repair = Callable[[Session, Policy, datetime | None], list[Dispatch]]
PIPELINES: tuple[Repair, ...] = (federated_recovery.sweep, factory_recovery.sweep)


class Sweeper:
    def __init__(self, settings: Settings, dispatcher: CeleryDispatcher):
        self.settings, self.dispatcher = settings, dispatcher

    def run(self, stop: threading.Event) -> None:
        """Sweep every `sweep_interval_seconds` until `stop` is set; a failed sweep is logged and retried."""
        while not stop.wait(self.settings.sweep_interval_seconds):
            try:
                self.sweep_once()
            except Exception:
                log.exception("sweep failed")

    def sweep_once(self) -> None:
        policy = Policy.from_settings(self.settings)
        dispatches: list[Dispatch] = []
        with session_scope(self.settings.sqlalchemy_url) as session:
            for repair in PIPELINES:
                dispatches += repair(session, policy, None)
        if dispatches:
            log.info("sweep sent %d job(s): %s", len(dispatches), ", ".join(d.name for d in dispatches))
        self.dispatcher.send(dispatches)
