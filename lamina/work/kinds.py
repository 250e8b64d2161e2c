"""Kinds of work: what an item of each kind carries, who runs it, how it is retried, and what
becomes of it when its retries are exhausted.

A handler runs one item to its end. It may settle the item itself, through the queue's
`finish` (delete, with more work in the same transaction) or `retry` (its own schedule, as
async Invoke does with Lambda's delays); if it returns without doing so, the item is done and
deleted. An exception from a handler is a failure of the delivery: the kind's `Backoff` says
when the item runs again, and once it is exhausted `dead_letter` gets the item, which is then
deleted.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from lamina.work.items import WorkItem

T = TypeVar("T")


@dataclass(frozen=True)
class Backoff:
    delays: tuple[float, ...]  # seconds before the first retry, the second, …; the last repeats
    max_attempts: int | None = None  # failed runs before it is exhausted; None: never
    counts: bool = True  # False: a failure leaves `attempts` alone (the kind counts its own)

    def delay(self, attempts: int) -> float:
        return self.delays[min(max(attempts, 1), len(self.delays)) - 1]

    def exhausted(self, attempts: int) -> bool:
        return self.max_attempts is not None and attempts >= self.max_attempts


@dataclass(frozen=True)
class WorkKind(Generic[T]):
    name: str  # "service:what", e.g. "lambda:invoke"
    pack: Callable[[T], bytes]
    unpack: Callable[[bytes], T]
    run: Callable[[WorkItem[T]], Awaitable[None]]
    backoff: Backoff
    dead_letter: Callable[[WorkItem[T], BaseException], Awaitable[None]] | None = None
    hold_limit: int = 1000  # items of this kind one node runs at once: others wait their turn

    def item(
        self, account_id: str, region: str, value: T, due_at: float | None = None
    ) -> WorkItem[T]:
        """A new item of this kind, due at `due_at` (now when None)."""
        now = time.time()
        return WorkItem(
            kind=self.name,
            account_id=account_id,
            region=region,
            payload=self.pack(value),
            created_at=now,
            due_at=now if due_at is None else due_at,
            value=value,
        )


# A packing for values with a small JSON header and a body of any bytes: the header, one line
# (json.dumps writes no newline), then the body as it is: nothing to escape or base64.


def pack_with_body(header: dict[str, Any], body: bytes) -> bytes:
    return json.dumps(header, separators=(",", ":")).encode() + b"\n" + body


def unpack_with_body(payload: bytes) -> tuple[dict[str, Any], bytes]:
    header, _, body = payload.partition(b"\n")
    return json.loads(header), body
