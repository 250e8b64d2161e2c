"""The node's side of the event queue: which queued events it holds, and when it runs them.

An accepted event is written leased to this node when the node has room for it, and starts at
once without being read back; otherwise it waits in the store for a poll. Held events are
renewed every few seconds; at start a node gives up the leases it held before (it is starting
again, so nothing of them runs here any more).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from functools import partial

from lamina.services.lambda_ import async_events as rows
from lamina.services.lambda_.async_events import AsyncEvent
from lamina.store.batch import BatchWriter

log = logging.getLogger("lamina.lambda.async")

LEASE_S = 60.0  # how long a held event is safe from other nodes without a renewal
POLL_S = 1.0  # how often the store is asked for due events no one holds
RETRY_AFTER_FAULT_S = 5.0


class EventQueue:
    def __init__(
        self,
        writer: BatchWriter,
        owner: str,
        run: Callable[[AsyncEvent], Awaitable[None]],
        alone: bool,
        hold_limit: int = 1000,
    ) -> None:
        self.writer = writer
        self.owner = owner  # this node's stable name: its leases carry it
        self.run = run  # runs an event to its end, and removes or reschedules it in the store
        self.alone = alone  # one node on its own store: every lease there was ours
        self.hold_limit = hold_limit
        self._held: dict[int, AsyncEvent] = {}  # by id: the events this node has leased
        self._reserved = 0  # places taken by events being written, not yet in _held
        self._tasks: set[asyncio.Task[None]] = set()
        self._poke = asyncio.Event()
        self._stopping = False
        self._loops: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        released = await self.writer.write(
            lambda conn: rows.release(conn, None if self.alone else self.owner)
        )
        if released:
            log.info("%d asynchronous events from before a restart will run again", released)
        self._poke.set()  # events waiting from before: look at once
        loop = asyncio.get_running_loop()
        self._loops = [
            loop.create_task(self._poll_forever()),
            loop.create_task(self._renew_forever()),
        ]

    async def put(self, event: AsyncEvent) -> None:
        """Queue `event` durably; it is in the store when this returns."""
        hold = self.held < self.hold_limit and not self._stopping
        lease = (self.owner, time.time() + LEASE_S) if hold else None
        self._reserved += hold
        try:
            await self.writer.write(lambda conn: rows.insert(conn, event, lease))
        finally:
            self._reserved -= hold
        if hold:
            self._start(event)

    def poke(self, at: float | None = None) -> None:
        """Look for due events now, or at `at` (epoch seconds)."""
        if at is None or at <= time.time():
            self._poke.set()
        else:
            asyncio.get_running_loop().call_later(at - time.time(), self._poke.set)

    def begin_stop(self) -> None:
        """From now on no event starts; those waiting give up their turn."""
        self._stopping = True

    @property
    def stopping(self) -> bool:
        return self._stopping

    @property
    def held(self) -> int:
        return len(self._held) + self._reserved

    def _start(self, event: AsyncEvent) -> None:
        self._held[event.id] = event
        task = asyncio.get_running_loop().create_task(self._run(event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, event: AsyncEvent) -> None:
        try:
            await self.run(event)
        except Exception:
            log.exception("asynchronous event %s failed in Lamina; it runs again", event.request_id)
            await self._give_back(event)
        finally:
            full = self.held >= self.hold_limit
            self._held.pop(event.id, None)
            if full:
                self._poke.set()  # room again: others may be waiting in the store

    async def _give_back(self, event: AsyncEvent) -> None:
        """Back to the queue after a fault of Lamina's own (not the function's): it runs again
        shortly, its attempts unchanged."""
        due = time.time() + RETRY_AFTER_FAULT_S
        try:
            await self.writer.write(
                partial(rows.retry_later, event_id=event.id, attempts=event.attempts, due_at=due)
            )
        except Exception:
            log.exception("could not give event %s back; its lease runs out", event.request_id)

    async def _poll_forever(self) -> None:
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._poke.wait(), POLL_S)
            self._poke.clear()
            try:
                await self._claim()
            except Exception:
                log.exception("polling the asynchronous event queue failed; trying again")

    async def _claim(self) -> None:
        while not self._stopping and self.held < self.hold_limit:
            room = self.hold_limit - self.held
            now = time.time()
            claim = partial(
                rows.claim_due, owner=self.owner, now=now, until=now + LEASE_S, limit=room
            )
            claimed = await self.writer.write(claim)
            for event in claimed:
                self._start(event)
            if len(claimed) < room:
                return

    async def _renew_forever(self) -> None:
        while not self._stopping:
            await asyncio.sleep(LEASE_S / 4)
            if self._held:
                until = time.time() + LEASE_S
                renew = partial(rows.renew, owner=self.owner, ids=list(self._held), until=until)
                try:
                    await self.writer.write(renew)
                except Exception:
                    log.exception("renewing asynchronous event leases failed")

    async def stop(self, grace_s: float = 5.0) -> None:
        """Stop taking events; let running ones end (up to `grace_s`); free the rest."""
        self.begin_stop()
        for task in self._loops:
            task.cancel()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=grace_s)
        for task in list(self._tasks):
            task.cancel()
        await self.writer.write(lambda conn: rows.release(conn, self.owner))
