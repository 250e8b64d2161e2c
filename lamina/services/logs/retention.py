"""Retention: which events a log group keeps, and the sweep that deletes the rest.

Reads never return an event older than its group's retention, whether or not the sweep has
run yet (AWS may take up to 72 hours to delete; Lamina hides them at once and deletes soon).
"""

from __future__ import annotations

import logging
import threading
import time

from lamina.services.logs import groups, segments, streams
from lamina.store import Store

log = logging.getLogger(__name__)

# PutRetentionPolicy's documented values of retentionInDays.
RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545,
    731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip
DAY_MS = 86_400_000


def now_ms() -> int:
    return int(time.time() * 1000)


def oldest_kept(retention_in_days: int | None, now: int) -> int:
    """The earliest timestamp (ms) a group with this retention still keeps."""
    return 0 if retention_in_days is None else max(0, now - retention_in_days * DAY_MS)


def sweep(store: Store, now: int | None = None) -> int:
    """Delete every group's expired events, in every account; answer how many groups lost any."""
    now = now_ms() if now is None else now
    with store.read() as conn:
        retained = groups.retained(conn)
    swept = 0
    for group_id, days in retained:
        with store.write() as conn:  # one short transaction per group: writers are not held up
            freed = segments.expire(conn, group_id, oldest_kept(days, now))
            streams.release_bytes(conn, freed)
        swept += bool(freed)
    return swept


class Sweeper:
    """Runs `sweep` every `interval` seconds on a daemon thread until `stop()`."""

    def __init__(self, store: Store, interval: float) -> None:
        self.store = store
        self.interval = interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lamina-logs-retention", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stopped.wait(self.interval):
            try:
                sweep(self.store)
            except Exception:  # a failed sweep is retried next time; the thread must live on
                log.exception("sweeping expired log events failed")
