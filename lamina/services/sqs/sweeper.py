"""Housekeeping in the background: messages past their queue's retention period are deleted
(a receive never returns them even before), and FIFO deduplication ids, receive attempts and
deleted queues' names past their intervals are forgotten."""

from __future__ import annotations

import logging
import threading
import time

import sqlalchemy as sa

from lamina.services.sqs import queues
from lamina.services.sqs.receiving import oldest_kept
from lamina.store import Store
from lamina.store.schema import (
    sqs_deduplication,
    sqs_deleted_queues,
    sqs_messages,
    sqs_queues,
    sqs_receive_attempts,
)

log = logging.getLogger("lamina.sqs")


class Sweeper:
    def __init__(self, store: Store, interval_s: float = 60.0) -> None:
        self.store = store
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="sqs-sweeper", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.sweep()
            except Exception:
                log.exception("the SQS sweep failed; it runs again in %s s", self.interval_s)

    def sweep(self) -> None:
        now = time.time()
        with self.store.read() as conn:
            ids = [row.id for row in conn.execute(sa.select(sqs_queues.c.id))]
        for queue_id in ids:
            with self.store.write() as conn:
                queue = queues.by_id(conn, queue_id)
                if queue is None:
                    continue
                conn.execute(
                    sqs_messages.delete().where(
                        sqs_messages.c.queue_id == queue.id,
                        sqs_messages.c.sent_at < oldest_kept(queue, now),
                    )
                )
        with self.store.write() as conn:
            conn.execute(sqs_deduplication.delete().where(sqs_deduplication.c.expires_at < now))
            conn.execute(
                sqs_receive_attempts.delete().where(sqs_receive_attempts.c.expires_at < now)
            )
            conn.execute(
                sqs_deleted_queues.delete().where(
                    sqs_deleted_queues.c.deleted_at < now - queues.DELETED_RECENTLY_S
                )
            )
