"""The node's side of the work queue: which items it holds, and when it runs them.

An item put here is written leased to this node when its kind has room, and starts at once
without being read back; otherwise (and for items enqueued in another transaction) it waits in
the store for a poll. Each kind has its own hold limit, so a busy kind cannot take every place
from another. Held items are renewed every few seconds; at start a node gives up the leases it
held before (it is starting again, so nothing of them runs here any more).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from sqlalchemy.engine import Connection

from lamina.store import Store
from lamina.store.batch import BatchWriter
from lamina.work import items as rows
from lamina.work.items import WorkItem
from lamina.work.kinds import WorkKind

log = logging.getLogger("lamina.work")

LEASE_S = 60.0  # how long a held item is safe from other nodes without a renewal
POLL_S = 1.0  # how often the store is asked for due items no one holds

R = TypeVar("R")


class WorkQueue:
    def __init__(self, writer: BatchWriter, owner: str, alone: bool) -> None:
        self.writer = writer
        self.owner = owner  # this node's stable name: its leases carry it
        self.alone = alone  # one node on its own store: every lease there was ours
        self.kinds: dict[str, WorkKind[Any]] = {}
        self._held: dict[int, WorkItem[Any]] = {}  # by id: the items this node has leased
        self._counts: Counter[str] = Counter()  # held or being written, by kind
        self._tasks: set[asyncio.Task[None]] = set()
        self._poke = asyncio.Event()
        self._stopping = True  # until started
        self._loops: list[asyncio.Task[None]] = []

    @classmethod
    def on(cls, store: Store, owner: str) -> WorkQueue:
        """The queue of a node named `owner` on `store`, with a group-commit writer of its own.
        A SQLite store is never shared by two nodes: every lease there was this node's."""
        return cls(BatchWriter(store, "lamina-work-writer"), owner, store.dialect == "sqlite")

    def close(self) -> None:
        self.writer.close()

    def register(self, kind: WorkKind[Any]) -> None:
        if kind.name in self.kinds:
            raise ValueError(f"work kind {kind.name} is registered already")
        self.kinds[kind.name] = kind

    async def start(self) -> None:
        self._stopping = False
        self._poke = asyncio.Event()
        released = await self.writer.write(
            lambda conn: rows.release(conn, None if self.alone else self.owner)
        )
        if released:
            log.info("%d work items from before a restart will run again", released)
        self._poke.set()  # items waiting from before: look at once
        loop = asyncio.get_running_loop()
        self._loops = [
            loop.create_task(self._poll_forever()),
            loop.create_task(self._renew_forever()),
        ]

    async def put(self, item: WorkItem[Any]) -> None:
        """Add `item` durably, in a transaction of its own; it is in the store when this
        returns, and already running here if its kind had room."""
        kind = self.kinds[item.kind]
        hold = self.room(kind) > 0 and item.due_at <= time.time()
        lease = (self.owner, time.time() + LEASE_S) if hold else None
        self._counts[kind.name] += hold
        try:
            await self.writer.write(lambda conn: rows.enqueue(conn, item, lease))
        except BaseException:
            self._counts[kind.name] -= hold
            raise
        if hold:
            self._start(item, counted=True)
        elif item.due_at > time.time():
            self.poke(item.due_at)

    def poke(self, at: float | None = None) -> None:
        """Look for due items now, or at `at` (epoch seconds): after an item was enqueued in
        another transaction, or rescheduled."""
        if self._stopping:
            return
        if at is None or at <= time.time():
            self._poke.set()
        else:
            asyncio.get_running_loop().call_later(at - time.time(), self._poke.set)

    async def finish(
        self, item: WorkItem[Any], also: Callable[[Connection], R] | None = None
    ) -> R | None:
        """Delete the item; in the same transaction, `also(conn)` (which may enqueue the work
        that follows from it: nothing is lost between the two)."""

        def done(conn: Connection) -> R | None:
            rows.delete(conn, item.id)
            return also(conn) if also is not None else None

        result = await self.writer.write(done)
        item.settled = True
        return result

    async def retry(self, item: WorkItem[Any], attempts: int, due_at: float) -> None:
        """Give the item back, to run again from `due_at`, on this node or another."""
        await self.writer.write(
            partial(rows.retry_later, item_id=item.id, attempts=attempts, due_at=due_at)
        )
        item.settled = True
        self.poke(due_at)

    def begin_stop(self) -> None:
        """From now on no item starts; those waiting give up their turn."""
        self._stopping = True

    @property
    def stopping(self) -> bool:
        return self._stopping

    def held(self, kind: str | None = None) -> int:
        return self._counts[kind] if kind else sum(self._counts.values())

    def room(self, kind: WorkKind[Any]) -> int:
        return 0 if self._stopping else max(0, kind.hold_limit - self._counts[kind.name])

    def _start(self, item: WorkItem[Any], counted: bool = False) -> None:
        if not counted:
            self._counts[item.kind] += 1
        self._held[item.id] = item
        task = asyncio.get_running_loop().create_task(self._run(item))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, item: WorkItem[Any]) -> None:
        kind = self.kinds[item.kind]
        try:
            if item.value is None:
                item.value = kind.unpack(item.payload)
            await kind.run(item)
            if not item.settled:
                await self.finish(item)
        except Exception as error:
            await self._failed(kind, item, error)
        finally:
            full = self.room(kind) == 0
            self._held.pop(item.id, None)
            self._counts[kind.name] -= 1
            if full:
                self._poke.set()  # room again: others may be waiting in the store

    async def _failed(self, kind: WorkKind[Any], item: WorkItem[Any], error: Exception) -> None:
        """A run that raised: again after the kind's backoff, or, exhausted, dead-lettered."""
        if item.settled:
            log.exception("work item %s (%s) failed after it was settled", item.id, item.kind)
            return
        attempts = item.attempts + 1 if kind.backoff.counts else item.attempts
        try:
            if kind.backoff.exhausted(attempts):
                log.warning(
                    "work item %s (%s) failed %d times, the last: %s",
                    item.id, item.kind, attempts, error,
                )  # fmt: skip
                if kind.dead_letter is not None:
                    await kind.dead_letter(item, error)
                await self.finish(item)
                return
            log.info("work item %s (%s) failed (%s); it runs again", item.id, item.kind, error)
            await self.retry(item, attempts, time.time() + kind.backoff.delay(attempts))
        except Exception:
            log.exception("could not settle work item %s; its lease runs out", item.id)

    async def _poll_forever(self) -> None:
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._poke.wait(), POLL_S)
            self._poke.clear()
            try:
                for kind in list(self.kinds.values()):
                    await self._claim(kind)
            except Exception:
                log.exception("polling the work queue failed; trying again")

    async def _claim(self, kind: WorkKind[Any]) -> None:
        while (room := self.room(kind)) > 0:
            now = time.time()
            claim = partial(
                rows.claim_due,
                kind=kind.name,
                owner=self.owner,
                now=now,
                until=now + LEASE_S,
                limit=room,
            )
            claimed = await self.writer.write(claim)
            for item in claimed:
                self._start(item)
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
                    log.exception("renewing work item leases failed")

    async def stop(self, grace_s: float = 5.0) -> None:
        """Stop taking items; let running ones end (up to `grace_s`); free the rest."""
        self.begin_stop()
        for task in self._loops:
            task.cancel()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=grace_s)
        for task in list(self._tasks):
            task.cancel()
        await self.writer.write(lambda conn: rows.release(conn, self.owner))
