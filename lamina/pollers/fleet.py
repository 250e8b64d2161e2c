"""This node's share of the mappings' polling. Once a second (or when poked by a change on this
node), the fleet reads the mappings, claims through the store's leases the workers of those
that should be polled and that no other node holds, starts a worker for each, hands updated
settings to its workers, retires those whose mapping is disabled or deleted (an in-flight batch
finishes first), and lets the mappings' owner settle their states (Creating → Enabled,
Disabling → Disabled once no node polls …). Leases are renewed while held and released at stop;
at start a node gives up those it held before, as the event queue does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from functools import partial

from lamina.pollers import leases
from lamina.pollers.filtering import compile_filters
from lamina.pollers.source import Mapping
from lamina.pollers.sources import source_for
from lamina.pollers.worker import Worker
from lamina.services.internal import InternalClient
from lamina.store.batch import BatchWriter

log = logging.getLogger("lamina.pollers")

LEASE_S = 30.0  # how long a held worker is safe from other nodes without a renewal
TICK_S = 1.0  # how often the mappings are read again
SETTLING = ("Creating", "Enabling", "Updating", "Disabling", "Deleting")

Key = tuple[str, str]  # (mapping uuid, worker name)


class Fleet:
    def __init__(
        self,
        writer: BatchWriter,
        owner: str,
        internal: InternalClient,
        load: Callable[[], Awaitable[list[Mapping]]],
        settle: Callable[[Mapping], Awaitable[None]],
        alone: bool,
    ) -> None:
        self.writer = writer
        self.owner = owner
        self.internal = internal
        self.load = load  # every mapping, in whatever state
        self.settle = settle  # moves a mapping on from a passing state, when it may
        self.alone = alone
        self._workers: dict[Key, Worker] = {}
        self._retiring: dict[Key, asyncio.Task[None]] = {}
        self._ending: dict[Key, Worker] = {}  # the workers those tasks end
        self._poke = asyncio.Event()
        self._stopping = False
        self._loops: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self._stopping = False
        await self.writer.write(partial(leases.release, owner=None if self.alone else self.owner))
        loop = asyncio.get_running_loop()
        self._loops = [
            loop.create_task(self._reconcile_forever()),
            loop.create_task(self._renew_forever()),
        ]

    def poke(self) -> None:
        """A mapping changed here: look now rather than at the next tick."""
        self._poke.set()

    async def stop(self, grace_s: float = 10.0) -> None:
        """Stop polling: in-flight batches finish (up to `grace_s`); leases are given up."""
        self._stopping = True
        for task in self._loops:
            task.cancel()
        for key in list(self._workers):
            self._retire(key)
        if self._retiring:
            await asyncio.wait(set(self._retiring.values()), timeout=grace_s)
        for worker in list(self._ending.values()):
            worker.cancel()  # past the grace: their records come back by the source's rules
        for task in list(self._retiring.values()):
            task.cancel()
        await self.writer.write(partial(leases.release, owner=self.owner))

    async def _reconcile_forever(self) -> None:
        while not self._stopping:
            try:
                await self._reconcile()
            except Exception:
                log.exception("reconciling event source mappings failed; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._poke.wait(), TICK_S)
            self._poke.clear()

    async def _reconcile(self) -> None:
        mappings = {mapping.uuid: mapping for mapping in await self.load()}
        for key, worker in list(self._workers.items()):
            mapping = mappings.get(key[0])
            if mapping is None or not mapping.polled:
                self._retire(key)
            elif mapping.version != worker.mapping.version:
                worker.filters = compile_filters(mapping.filters)
                worker.mapping = mapping  # read afresh by the worker at its next batch
        for mapping in mappings.values():
            if mapping.polled and not self._stopping:
                await self._take(mapping)
        for mapping in mappings.values():
            if mapping.state in SETTLING:
                await self.settle(mapping)

    async def _take(self, mapping: Mapping) -> None:
        key = (mapping.uuid, "queue")  # an SQS queue is one worker; streams will have shards
        if key in self._workers or key in self._retiring:
            return
        now = time.time()
        claim = partial(
            leases.claim,
            mapping=key[0],
            worker=key[1],
            owner=self.owner,
            now=now,
            until=now + LEASE_S,
        )
        if not await self.writer.write(claim):
            return  # another node polls it
        try:
            source = source_for(mapping, self.internal)
            filters = compile_filters(mapping.filters)
        except Exception:
            await self.writer.write(partial(leases.release, owner=self.owner, mapping=key[0]))
            raise
        worker = Worker(mapping, source, filters, self.internal)
        self._workers[key] = worker
        worker.start()
        log.info("polling %s for %s (mapping %s)", mapping.source_arn, mapping.function_arn, key[0])

    def _retire(self, key: Key) -> None:
        worker = self._workers.pop(key, None)
        if worker is None or key in self._retiring:
            return
        task = asyncio.get_running_loop().create_task(self._end(key, worker))
        self._retiring[key] = task
        self._ending[key] = worker

    async def _end(self, key: Key, worker: Worker) -> None:
        try:
            await worker.stop()
            await self.writer.write(partial(leases.release, owner=self.owner, mapping=key[0]))
        finally:
            self._retiring.pop(key, None)
            self._ending.pop(key, None)
            self._poke.set()  # a mapping waiting for this worker to end may settle now

    async def _renew_forever(self) -> None:
        while not self._stopping:
            await asyncio.sleep(LEASE_S / 3)
            held = list(self._workers) + list(self._retiring)
            if held:
                until = time.time() + LEASE_S
                try:
                    await self.writer.write(
                        partial(leases.renew, owner=self.owner, held=held, until=until)
                    )
                except Exception:
                    log.exception("renewing poller leases failed")
