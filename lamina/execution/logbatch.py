"""Function log lines, written to CloudWatch Logs in batches: one write per stream every
FLUSH_AFTER_S at most, not one per invocation, so the synchronous invoke path does no store
write of its own. Logs are not acknowledged state (as on Lambda, they arrive shortly after
the answer); what is pending is written at shutdown."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Mapping, Sequence
from typing import Protocol

log = logging.getLogger("lamina.execution")

StreamKey = tuple[str, str, str, str]  # account, region, group, stream


class LogSink(Protocol):
    """Where the lines go (CloudWatch Logs' LogSink): every stream of a batch at once."""

    def write_many(self, batches: Mapping[StreamKey, Sequence[tuple[int, str]]]) -> None: ...


FLUSH_AFTER_S = 0.05


class LogBatcher:
    def __init__(self, sink: LogSink | None = None) -> None:
        self.sink = sink
        self._pending: dict[StreamKey, list[tuple[int, str]]] = {}
        self._lock = threading.Lock()
        self._scheduled = False
        self._writing: set[asyncio.Future[None]] = set()

    def add(self, key: StreamKey, events: list[tuple[int, str]]) -> None:
        """On the event loop: queue the lines; a flush follows within FLUSH_AFTER_S."""
        if self.sink is None or not events:
            return
        with self._lock:
            self._pending.setdefault(key, []).extend(events)
            if self._scheduled:
                return
            self._scheduled = True
        asyncio.get_running_loop().call_later(FLUSH_AFTER_S, self._flush_soon)

    def _flush_soon(self) -> None:
        future = asyncio.get_running_loop().run_in_executor(None, self.write_pending)
        self._writing.add(future)
        future.add_done_callback(self._writing.discard)

    def write_pending(self) -> None:
        """Write everything queued, in one transaction (any thread)."""
        with self._lock:
            batches, self._pending = self._pending, {}
            self._scheduled = False
        if not batches or self.sink is None:
            return
        try:
            self.sink.write_many(batches)
        except Exception:
            count = sum(len(events) for events in batches.values())
            log.exception("could not write %d log events of %d streams", count, len(batches))

    async def flush(self) -> None:
        """Write what is queued now and wait for writes under way (tests, shutdown)."""
        await asyncio.get_running_loop().run_in_executor(None, self.write_pending)
        if self._writing:
            await asyncio.gather(*self._writing, return_exceptions=True)
