"""Long polling: a ReceiveMessage waiting for a message wakes the moment one is sent through
this node, and looks at the store at least every POLL_S for what other nodes of a fleet sent
(or what became visible: a delay or a visibility timeout that ran out)."""

from __future__ import annotations

import asyncio
import contextlib

POLL_S = 1.0


class Waiters:
    def __init__(self) -> None:
        self._events: dict[int, asyncio.Event] = {}

    def notify(self, queue_id: int) -> None:
        """On the event loop, after a send to `queue_id` committed."""
        event = self._events.pop(queue_id, None)
        if event is not None:
            event.set()

    def notify_threadsafe(self, loop: asyncio.AbstractEventLoop | None, queue_id: int) -> None:
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.notify, queue_id)

    async def wait(self, queue_id: int, timeout: float) -> None:
        """Until a send to the queue, or `timeout` (at most POLL_S) passed."""
        event = self._events.get(queue_id)
        if event is None:
            event = self._events[queue_id] = asyncio.Event()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), min(timeout, POLL_S))
