"""A source and a Lambda of their own, in memory, for the poller framework's unit tests."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from lamina.pollers.batching import record_size
from lamina.pollers.source import Mapping, Record
from lamina.protocol.errors import ServiceError


def mapping(**overrides: Any) -> Mapping:
    fields: dict[str, Any] = {
        "uuid": "m-1",
        "account_id": "000000000000",
        "region": "us-east-1",
        "function_arn": "arn:aws:lambda:us-east-1:000000000000:function:fn",
        "source_arn": "arn:aws:sqs:us-east-1:000000000000:q",
        "state": "Enabled",
        "enabled": True,
        "batch_size": 10,
        "window_s": 0,
    }
    fields.update(overrides)
    return Mapping(**fields)


def record(n: int, body: Any = None, pad: int = 0) -> Record:
    event = {"messageId": f"id-{n}", "body": json.dumps(body if body is not None else {"n": n})}
    if pad:
        event["pad"] = "x" * pad
    filtered = dict(event, body=json.loads(event["body"]))  # as the SQS adapter shows filters
    return Record(event, record_size(event), f"id-{n}", f"handle-{n}", filtered)


class FakeSource:
    max_per_fetch = 10

    def __init__(self, records: list[Record] | None = None, hold_s: float = 30.0) -> None:
        self.waiting: list[Record] = list(records or [])
        self.hold_s = hold_s
        self.acked: list[str] = []
        self.failed: list[str] = []
        self.fetches = 0
        self._arrived = asyncio.Event()

    def put(self, *records: Record) -> None:
        self.waiting.extend(records)
        self._arrived.set()

    async def fetch(self, limit: int, wait_s: int) -> list[Record]:
        self.fetches += 1
        if not self.waiting:
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), min(wait_s, 0.2))
            except TimeoutError:
                return []
        taken, self.waiting = self.waiting[:limit], self.waiting[limit:]
        return taken

    async def ack(self, records: list[Record]) -> None:
        self.acked.extend(r.item_id for r in records)

    async def fail(self, records: list[Record]) -> None:
        self.failed.extend(r.item_id for r in records)


class FakeLambda:
    """Stands in for the internal client: Invoke runs `answer(event)` after `delay_s`."""

    def __init__(self, answer: Any = None, delay_s: float = 0.0, throttles: int = 0) -> None:
        self.answer = answer or (lambda event: {"StatusCode": 200, "Payload": b"null"})
        self.delay_s = delay_s
        self.throttles = throttles  # the first invocations refused with 429
        self.events: list[dict] = []
        self.running = 0
        self.most_running = 0
        self.calls = 0

    async def call_async(self, service: str, operation: str, params: dict, **_: Any) -> dict:
        assert (service, operation) == ("lambda", "Invoke")
        self.calls += 1
        if self.throttles:
            self.throttles -= 1
            raise ServiceError("TooManyRequestsException", "Rate Exceeded.", 429)
        event = json.loads(params["Payload"])
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        try:
            await asyncio.sleep(self.delay_s)
        finally:
            self.running -= 1
        self.events.append(event)
        return self.answer(event)


async def until(condition, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the condition did not come true in time")
        await asyncio.sleep(0.01)
