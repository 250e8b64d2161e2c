"""Asynchronous invocation: Invoke with InvocationType Event, and the older InvokeAsync.

The event is a work item (kind "lambda:invoke", lamina/work/) in the store before the 202. This
node runs it as soon as the function has a free concurrency slot (a throttled event waits for
one, within its maximum age); a function error is retried after Lambda's delays, up to the
event invoke config's MaximumRetryAttempts and MaximumEventAgeInSeconds. An event that cannot
run any more is dropped: counted (AsyncEventsDropped), logged, and sent to its OnFailure
destination and its dead-letter queue, if configured; a successful one to its OnSuccess
destination. Those deliveries are enqueued in the transaction that deletes the event
(delivery.py). Order is not promised, as on Lambda.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import TYPE_CHECKING, Any

from lamina.execution.concurrency import Slot, Throttled
from lamina.execution.function import InvocationRequest, InvocationResult
from lamina.execution.runtimes import RuntimeUnavailable
from lamina.protocol.errors import ServiceError
from lamina.services.lambda_ import async_events, delivery, destinations
from lamina.services.lambda_.arns import FunctionRef, parse_function
from lamina.services.lambda_.async_events import AsyncEvent
from lamina.services.lambda_.errors import request_too_large
from lamina.services.lambda_.invoke import check_json, key_of, new_trace_id
from lamina.services.lambda_.metrics import scopes_of
from lamina.work.items import WorkItem, enqueue
from lamina.work.kinds import Backoff, WorkKind

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from lamina.config import Settings
    from lamina.context import RequestContext
    from lamina.services.lambda_.event_invoke import EventInvokeConfigs
    from lamina.services.lambda_.invoke import Invoker
    from lamina.work.queue import WorkQueue

log = logging.getLogger("lamina.lambda.async")

EVENT_PAYLOAD_LIMIT = 1024 * 1024  # Invoke, InvocationType Event
INVOKE_ASYNC_LIMIT = 256 * 1024  # the deprecated InvokeAsync keeps its older limit
DEFAULT_RETRIES = 2
DEFAULT_MAX_AGE_S = 6 * 3600
WAIT_S = 1.0  # a throttled event looks again at least this often (limits may have changed)
# An event waits this long for a busy environment of its function before another is started:
# a burst of quick events then runs on the environments there are, not on a hundred new ones.
PATIENCE_S = 0.05
# A fault of Lamina's own (not the function's) while running an event: it runs again shortly,
# its attempts unchanged (run_event counts the function's failures itself).
FAULT_BACKOFF = Backoff(delays=(5.0,), counts=False)
HOLD_LIMIT = 1000  # events one node runs (or waits to run) at once; the rest wait in the store


class AsyncInvocations:
    """Events queued by Invoke (Event) and InvokeAsync, as the work queue's kind of item."""

    def __init__(
        self,
        invoker: Invoker,
        event_configs: EventInvokeConfigs,
        work: WorkQueue,
        settings: Settings,
    ) -> None:
        self.invoker = invoker
        self.functions = invoker.functions
        self.event_configs = event_configs
        self.work = work
        self.settings = settings
        self.metrics = invoker.metrics
        self.concurrency = invoker.concurrency
        self._slot_freed = asyncio.Event()

    def start(self) -> None:
        self._slot_freed = asyncio.Event()  # of the loop that runs the events
        self.concurrency.on_release(self.slot_freed)

    def stop(self) -> None:
        self.slot_freed(None)  # events waiting for a slot see the stop now

    def invoke_kind(self) -> WorkKind[AsyncEvent]:
        """Asynchronous events as the work queue's items."""
        return WorkKind(
            async_events.KIND,
            async_events.pack,
            async_events.unpack,
            self.run_event,
            FAULT_BACKOFF,
            hold_limit=HOLD_LIMIT,
        )

    async def invoke(
        self, ctx: RequestContext, ref: FunctionRef, params: dict[str, Any]
    ) -> dict[str, Any]:
        """Invoke with InvocationType Event."""
        return await self.invoke_event(ctx, ref, params.get("Payload") or b"")

    async def invoke_async(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"])
        payload = params.get("InvokeArgs") or b""
        await self.invoke_event(ctx, ref, payload, "InvokeAsync", INVOKE_ASYNC_LIMIT)
        return {"Status": 202}

    async def invoke_event(
        self,
        ctx: RequestContext,
        ref: FunctionRef,
        payload: bytes,
        operation: str = "InvokeFunction",
        limit: int = EVENT_PAYLOAD_LIMIT,
    ) -> dict[str, Any]:
        if len(payload) > limit:
            raise request_too_large(limit, operation)
        await self.functions.read(self.functions.find_for_invoke, ref)
        check_json(payload)
        event = AsyncEvent(
            request_id=ctx.request_id,
            account_id=ref.account_id,
            region=ref.region,
            function_name=ref.name,
            qualifier=ref.qualifier or "",
            payload=payload,
            trace_id=new_trace_id(),
            received_at=time.time(),
        )
        await self.work.put(self.event_item(event))
        self.metrics.async_received(key_of(ref))
        return {"StatusCode": 202}

    def event_item(self, event: AsyncEvent) -> WorkItem[AsyncEvent]:
        return WorkItem(
            async_events.KIND,
            event.account_id,
            event.region,
            async_events.pack(event),
            created_at=event.received_at,
            due_at=event.received_at,
            value=event,
        )

    # -- running queued events ---------------------------------------------------------------

    async def run_event(self, item: WorkItem[AsyncEvent]) -> None:
        """Run one held event to its end: done, rescheduled, or dropped."""
        event = item.value
        ref = FunctionRef(
            event.account_id, event.region, event.function_name, event.qualifier or None
        )
        try:
            function = await self.functions.read(self.functions.find_for_invoke, ref)
        except ServiceError:
            await self._drop(item, {}, "FunctionNotFound", None)
            return
        config = await self.event_configs.retry_settings_of(function.function_id, ref) or {}
        dead_letter = (function.config.get("DeadLetterConfig") or {}).get("TargetArn") or None
        slot = await self._slot_for(event, ref, config)
        if slot is None:
            if not self.work.stopping:
                await self._drop(item, config, "EventAgeExceeded", None, dead_letter=dead_letter)
            return
        self.metrics.async_age(key_of(ref), max(0.0, time.time() - event.received_at) * 1000)
        request = InvocationRequest(
            event.request_id, event.payload, ref.qualified_arn, event.trace_id
        )
        try:
            result = await self.invoker.run_invocation(ref, function, request, slot, PATIENCE_S)
        except RuntimeUnavailable as missing:
            error = {"errorMessage": str(missing), "errorType": "InvalidRuntimeException"}
            result = InvocationResult(json.dumps(error).encode(), "Unhandled")
        if not result.function_error:
            await self._finish(item, config, "Success", result, item.attempts + 1)
            return
        await self._failed(item, config, result, dead_letter)

    async def _slot_for(self, event: AsyncEvent, ref: FunctionRef, config: dict) -> Slot | None:
        """A concurrency slot, waited for while the function is at its limit; None when the
        event grew too old meanwhile (or the node is stopping)."""
        max_age = config.get("MaximumEventAgeInSeconds", DEFAULT_MAX_AGE_S)
        throttled = False
        while True:
            if time.time() - event.received_at > max_age or self.work.stopping:
                return None
            try:
                function = await self.functions.read(self.functions.find_for_invoke, ref)
            except ServiceError:
                return None
            freed = self._slot_freed
            try:
                return await self.invoker.acquire_slot(ref, function)
            except Throttled:
                if not throttled:
                    scopes = scopes_of(ref.name, ref.qualifier, function.version)
                    self.metrics.throttle(key_of(ref), scopes)
                    throttled = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(freed.wait(), WAIT_S)

    def slot_freed(self, _function: Any) -> None:
        """A concurrency slot was given back: events waiting for one look again."""
        self._slot_freed.set()
        self._slot_freed = asyncio.Event()

    async def _failed(
        self,
        item: WorkItem[AsyncEvent],
        config: dict,
        result: InvocationResult,
        dead_letter: str | None,
    ) -> None:
        event = item.value
        attempts = item.attempts + 1
        if attempts > config.get("MaximumRetryAttempts", DEFAULT_RETRIES):
            await self._drop(item, config, "RetriesExhausted", result, attempts, dead_letter)
            return
        delays = self.settings.async_retry_delays
        due = time.time() + delays[min(attempts, len(delays)) - 1]
        if due - event.received_at > config.get("MaximumEventAgeInSeconds", DEFAULT_MAX_AGE_S):
            await self._drop(item, config, "EventAgeExceeded", result, attempts, dead_letter)
            return
        await self.work.retry(item, attempts, due)

    async def _drop(
        self,
        item: WorkItem[AsyncEvent],
        config: dict,
        condition: str,
        result: InvocationResult | None,
        attempts: int | None = None,
        dead_letter: str | None = None,
    ) -> None:
        event = item.value
        log.warning(
            "dropped asynchronous event %s of function %s (%s)",
            event.request_id,
            event.function_name,
            condition,
        )
        self.metrics.async_dropped(event.function)
        await self._finish(item, config, condition, result, attempts or item.attempts, dead_letter)

    async def _finish(
        self,
        item: WorkItem[AsyncEvent],
        config: dict,
        condition: str,
        result: InvocationResult | None,
        attempts: int,
        dead_letter: str | None = None,
    ) -> None:
        """Remove the event from the queue; in the same transaction, queue what follows from
        its outcome: a record for its destination, the event for its dead-letter queue."""
        deliveries = destinations.outcome_for(
            item.value, condition, result, attempts, config, dead_letter
        )
        follow = [delivery.item_for(each) for each in deliveries]

        def also(conn: Connection) -> None:
            for each in follow:
                enqueue(conn, each)

        await self.work.finish(item, also if follow else None)
        if follow:
            self.work.poke()
