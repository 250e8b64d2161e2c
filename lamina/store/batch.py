"""Group commit: write transactions from many requests, committed together.

A commit is the costly part of a small write (a WAL sync on SQLite, a round trip and a flush on
PostgreSQL). Work handed in while one transaction commits waits and goes into the next one, so
under load many requests share a commit and the commits per second stay few. Each caller still
learns of its own work only after the commit that made it durable.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from sqlalchemy.engine import Connection

from lamina.store.engine import Store

log = logging.getLogger(__name__)

T = TypeVar("T")
Work = Callable[[Connection], Any]


class BatchWriter:
    def __init__(self, store: Store, name: str, max_batch: int = 256) -> None:
        self.store = store
        self.max_batch = max_batch
        self._awaited = 0  # callers on the event loop waiting for a batch
        self._queue: queue.SimpleQueue[tuple[Work, Future[Any]] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, work: Callable[[Connection], T]) -> Future[T]:
        """Run `work(conn)` in a coming transaction; the future resolves once it committed."""
        future: Future[T] = Future()
        self._queue.put((work, future))
        return future

    async def write(self, work: Callable[[Connection], T]) -> T:
        if not self._awaited and self._queue.empty():
            # A lone caller: on SQLite, when no other write is under way, a short write here
            # costs less than two thread switches. Under load, the batches do better.
            with self.store.write_now() as conn:
                if conn is not None:
                    return work(conn)
        self._awaited += 1
        try:
            return await asyncio.wrap_future(self.submit(work))
        finally:
            self._awaited -= 1

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            batch = [item]
            while len(batch) < self.max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._commit(batch)
                    return
                batch.append(more)
            self._commit(batch)

    def _commit(self, batch: list[tuple[Work, Future[Any]]]) -> None:
        # A caller that gave up (its request was cancelled) is never answered: skip its work.
        batch = [item for item in batch if item[1].set_running_or_notify_cancel()]
        if not batch:
            return
        try:
            with self.store.write() as conn:
                results = [work(conn) for work, _ in batch]
        except Exception as error:
            if len(batch) == 1:
                batch[0][1].set_exception(error)
                return
            log.debug("a batch of %d failed (%s): retrying each alone", len(batch), error)
            # One piece of work failed and took the others with it: each alone, so only it fails.
            for work, future in batch:
                self._commit_alone(work, future)
            return
        for (_, future), result in zip(batch, results, strict=True):
            future.set_result(result)

    def _commit_alone(self, work: Work, future: Future[Any]) -> None:
        try:
            with self.store.write() as conn:
                result = work(conn)
        except Exception as error:
            future.set_exception(error)
            return
        future.set_result(result)
