"""Long polling: a ReceiveMessage waiting for a message wakes the moment one is sent through
this node, and looks at the store at least every POLL_S for what other nodes of a fleet sent
(or what became visible: a delay or a visibility timeout that ran out).

A send of n messages wakes the n longest-waiting receives, not every one: the others would
each spend a read, and some a write transaction, to find the messages taken. A woken receive
that finds nothing (another node or a receive not waiting took them) waits again; what it
missed, the others see on their next look at the store."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque

POLL_S = 1.0


class Waiters:
    def __init__(self) -> None:
        self._waiting: dict[int, deque[asyncio.Future[None]]] = {}

    def notify(self, queue_id: int, count: int = 1) -> None:
        """On the event loop, after `count` messages of `queue_id` became receivable."""
        waiting = self._waiting.get(queue_id)
        while waiting and count > 0:
            waiter = waiting.popleft()
            if not waiter.done():
                waiter.set_result(None)
                count -= 1
        if waiting is not None and not waiting:
            del self._waiting[queue_id]

    def notify_all(self, queue_id: int) -> None:
        """Messages in a number not counted (a move task's) became receivable."""
        self.notify(queue_id, len(self._waiting.get(queue_id) or ()))

    def notify_threadsafe(
        self, loop: asyncio.AbstractEventLoop | None, queue_id: int, count: int = 1
    ) -> None:
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.notify, queue_id, count)

    async def wait(self, queue_id: int, timeout: float) -> None:
        """Until a send to the queue wakes this wait, or `timeout` (at most POLL_S) passed."""
        waiter = asyncio.get_running_loop().create_future()
        waiting = self._waiting.setdefault(queue_id, deque())
        waiting.append(waiter)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter, min(timeout, POLL_S))
        finally:
            if not waiter.done():
                waiter.cancel()
            with contextlib.suppress(ValueError):
                waiting.remove(waiter)  # timed out or cancelled: not woken, so not counted
            if not waiting and self._waiting.get(queue_id) is waiting:
                del self._waiting[queue_id]
