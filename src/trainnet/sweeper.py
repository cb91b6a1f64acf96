"""The sweeper: every few seconds it repairs lost work. It re-sends jobs whose worker died or whose message was
lost, finalizes rounds whose trigger was lost, and ends tasks over their wall-time limit (`coordinator.sweep`),
and re-sends lost pipeline B jobs (`sweep_factory_jobs`). Duplicates are harmless: every job is idempotent.

`trainnet serve` runs it as a process of its own beside the API (`trainnet sweeper`). A sweep is tens of
milliseconds of ORM work with the write lock held; in the API's process it stalled every request on the event
loop for as long (status-polling bench, docs/benchmarks.md).
"""

from __future__ import annotations

import logging
import threading

from trainnet.api.dispatcher import CeleryDispatcher
from trainnet.db.session import session_scope
from trainnet.factory_sweep import sweep_factory_jobs
from trainnet.federated import coordinator
from trainnet.settings import Settings

log = logging.getLogger("trainnet.sweeper")


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
        rules = coordinator.Policy.from_settings(self.settings)
        with session_scope(self.settings.sqlalchemy_url) as session:
            dispatches = coordinator.sweep(session, rules, self.settings.min_shard_fraction)
            dispatches += sweep_factory_jobs(session, rules)
        if dispatches:
            log.info("sweep sent %d job(s): %s", len(dispatches), ", ".join(d.name for d in dispatches))
        self.dispatcher.send(dispatches)
