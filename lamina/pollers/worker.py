"""One worker of a mapping on this node: gather a batch, filter it, invoke the function with it
synchronously, and acknowledge or fail its records at the source; again, while the mapping is
polled here. A worker runs one batch at a time to begin with and adds concurrent batches while
fetches come back full (a backlog), up to ScalingConfig.MaximumConcurrency; a throttle takes
one away. Errors back off: a throttled batch is retried while its records are still held (as
Lambda retries until the queue's visibility timeout), a failing function or source is left
alone a little longer each time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from typing import Any

from lamina.pollers.batching import Batch, payload_of
from lamina.pollers.filtering import Filters
from lamina.pollers.outcome import failed_items
from lamina.pollers.source import Mapping, Record, Source, identity_for
from lamina.protocol.errors import ServiceError
from lamina.services.internal import InternalClient

log = logging.getLogger("lamina.pollers")

LONG_POLL_S = 20  # the longest wait a fetch may ask for (SQS's WaitTimeSeconds maximum)
DEFAULT_MAX_CONCURRENCY = 1000  # concurrent batches of one mapping when no ScalingConfig says
THROTTLE_DELAYS_S = (0.05, 0.1, 0.2, 0.5, 1.0)
ERROR_DELAYS_S = (1.0, 2.0, 5.0, 10.0, 30.0)


class Worker:
    def __init__(
        self, mapping: Mapping, source: Source, filters: Filters, internal: InternalClient
    ) -> None:
        self.mapping = mapping  # the fleet puts the new one here when the mapping is updated
        self.source = source
        self.filters = filters
        self.internal = internal
        self._stopping = asyncio.Event()
        self._pollers: set[asyncio.Task[None]] = set()
        self._limit = 1  # concurrent batches allowed now: grows with success, shrinks on throttle
        self._errors = 0  # failures in a row, for the back-off

    def start(self) -> None:
        self._spawn(first=True)

    @property
    def concurrency(self) -> int:
        return len(self._pollers)

    async def stop(self) -> None:
        """No new batch starts; a batch being invoked finishes; then the worker is done."""
        self._stopping.set()
        if self._pollers:
            await asyncio.wait(set(self._pollers))

    def cancel(self) -> None:
        """End at once, in-flight batches too (a node stopping past its grace)."""
        self._stopping.set()
        for task in list(self._pollers):
            task.cancel()

    def _spawn(self, first: bool = False) -> None:
        task = asyncio.get_running_loop().create_task(self._poll(first))
        self._pollers.add(task)
        task.add_done_callback(self._pollers.discard)

    def _cap(self) -> int:
        return self.mapping.max_concurrency or DEFAULT_MAX_CONCURRENCY

    async def _poll(self, first: bool) -> None:
        # Fetched records past a batch's limits wait here for this poller's next batch: never
        # another's, so a FIFO group's records are never in two invocations at once.
        carry: list[Record] = []
        try:
            await self._poll_with(first, carry)
        finally:
            if carry:
                await self._quietly(self.source.fail(carry))

    async def _poll_with(self, first: bool, carry: list[Record]) -> None:
        while not self._stopping.is_set():
            try:
                records = await self._gather(carry, first)
            except ServiceError as error:
                log.warning("fetching from %s failed: %s", self.mapping.source_arn, error.message)
                self._errors += 1
                await self._back_off()
                continue
            except Exception:
                log.exception("fetching from %s failed", self.mapping.source_arn)
                self._errors += 1
                await self._back_off()
                continue
            if not records:
                if first or carry:
                    continue
                return  # an added poller found nothing waiting: the backlog is gone
            backlog = len(records) >= min(self.mapping.batch_size, self.source.max_per_fetch)
            if backlog and self.concurrency < min(self._limit, self._cap()):
                self._spawn()
            try:
                whole = await self._process(records)
            except Exception:
                log.exception("a batch of %s failed in Lamina", self.mapping.source_arn)
                await self._quietly(self.source.fail(records))
                whole = False
            if not whole and carry:
                # What was fetched after a failed record must not overtake it (a FIFO group's
                # order): it goes back with it.
                await self._quietly(self.source.fail(list(carry)))
                carry.clear()
            if self._errors:
                await self._back_off()
            if not first and not carry and self.concurrency > self._limit:
                return

    async def _gather(self, carry: list[Record], first: bool = True) -> list[Record]:
        """Records until BatchSize, the payload limit or the batching window says the batch is
        complete; with no window, whatever the first fetch that finds any returns. A poller
        added for a backlog does not wait for records: finding none, it returns none (and
        ends), so pollers do not pile up long-polling an idle queue (with BatchSize 1 every
        fetch looks like a backlog)."""
        mapping = self.mapping
        batch = Batch(mapping.batch_size)
        while carry and batch.add(carry[0]):
            carry.pop(0)
        started = time.monotonic() if batch.records else None
        while not batch.full and not carry:
            wait = LONG_POLL_S if first else 0
            if started is not None:
                left = mapping.window_s - (time.monotonic() - started)
                if left <= 0:
                    break
                wait = min(LONG_POLL_S, math.ceil(left))
            fetched = await self._fetch(min(batch.room, self.source.max_per_fetch), wait)
            if fetched is None:
                break  # stopping
            if not fetched and not first and started is None:
                break  # an added poller: the backlog is gone
            for index, record in enumerate(fetched):
                if not batch.add(record):
                    carry.extend(fetched[index:])
                    break
            if fetched and started is None:
                started = time.monotonic()
        return batch.records

    async def _fetch(self, limit: int, wait_s: int) -> list[Record] | None:
        """A fetch that a stop interrupts (None then: records a cut-off fetch took come back
        by the source's own rules, as after any lost poll)."""
        if self._stopping.is_set():
            return None
        fetch = asyncio.ensure_future(self.source.fetch(limit, wait_s))
        stop = asyncio.ensure_future(self._stopping.wait())
        done, _ = await asyncio.wait({fetch, stop}, return_when=asyncio.FIRST_COMPLETED)
        if fetch in done:
            stop.cancel()
            return fetch.result()
        fetch.cancel()
        return None

    async def _process(self, records: list[Record]) -> bool:
        """Run one batch to its end; True when every record of it succeeded."""
        received = time.monotonic()
        kept, dropped = self.filters.split(records)
        if dropped:
            await self.source.ack(dropped)  # filtered out: Lambda deletes them unseen
        if not kept:
            return True
        answer = await self._invoke(kept, received)
        if answer is None:
            await self.source.fail(kept)
            return False
        if answer.get("FunctionError"):
            self._errors += 1
            self._limit = max(1, self._limit - 1)  # a failing function gets fewer batches
            await self.source.fail(kept)
            return False
        self._errors = 0
        self._limit = min(self._limit + 1, self._cap())
        failed: list[Record] = []
        if self.mapping.report_item_failures:
            failed = failed_items(answer.get("Payload") or b"", kept)
        failed_ids = {id(record) for record in failed}
        done = [record for record in kept if id(record) not in failed_ids]
        if done:
            await self.source.ack(done)
        if failed:
            await self.source.fail(failed)
        return not failed

    async def _invoke(self, records: list[Record], received: float) -> dict[str, Any] | None:
        """Invoke the function with the batch, through Lambda's own Invoke; None when it could
        not run (throttled past the records' hold, or the function cannot be invoked)."""
        mapping = self.mapping
        params = {"FunctionName": mapping.function_arn, "Payload": payload_of(records)}
        throttles = 0
        while True:
            try:
                return await self.internal.call_async(
                    "lambda",
                    "Invoke",
                    params,
                    identity=identity_for(mapping),
                    region=mapping.region,
                )
            except ServiceError as error:
                if error.code != "TooManyRequestsException":
                    log.warning(
                        "mapping %s could not invoke %s: %s",
                        mapping.uuid,
                        mapping.function_arn,
                        error.message,
                    )
                    self._errors += 1
                    return None
            self._limit = max(1, self.concurrency - 1)  # throttled: one batch fewer at a time
            delay = THROTTLE_DELAYS_S[min(throttles, len(THROTTLE_DELAYS_S) - 1)]
            throttles += 1
            if time.monotonic() - received + delay >= self.source.hold_s or self._stopping.is_set():
                return None  # the records are the source's again: they come back later
            await asyncio.sleep(delay)

    async def _back_off(self) -> None:
        delay = ERROR_DELAYS_S[min(max(self._errors, 1), len(ERROR_DELAYS_S)) - 1]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), delay)

    async def _quietly(self, work: Any) -> None:
        try:
            await work
        except Exception:
            log.exception("giving records back to %s failed", self.mapping.source_arn)
