"""Run the apps' scheduled handlers (`@app.schedule`) on a timer, as EventBridge rules do in AWS.

Locally they run every `every_s` seconds whatever their rate: the handlers themselves decide what is due
(the approval reminders go out at most once a day per approver).
"""

import logging
import threading
import time
from datetime import UTC, datetime
from types import ModuleType

from chalice.app import ScheduledEventConfig

from comptoir_infra.local.pump import _Context

log = logging.getLogger("comptoir.schedules")


class ScheduleTimer:
    def __init__(self, *, modules: dict[str, ModuleType], every_s: float = 60):
        self._every_s = every_s
        self._stop = threading.Event()
        self._handlers = [
            getattr(module, source.handler_string.split(".")[-1])
            for module in modules.values()
            for source in module.app.event_sources
            if isinstance(source, ScheduledEventConfig)
        ]
        self._thread = threading.Thread(target=self._run, name="schedules", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=3)

    def run_once(self) -> None:
        for handler in self._handlers:
            try:
                handler(_scheduled_event(), _Context(getattr(handler, "__name__", "schedule")))
            except Exception:
                log.exception("a scheduled handler failed; it runs again at the next tick")

    def _run(self) -> None:
        while not self._stop.wait(self._every_s):
            self.run_once()


def _scheduled_event() -> dict:
    """The documented shape of an EventBridge scheduled event."""
    return {
        "version": "0",
        "id": f"local-{time.time_ns()}",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "eu-west-1",
        "resources": [],
        "detail": {},
    }
