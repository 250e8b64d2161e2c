"""What every group of SQS operations shares: the store, the group-commit writer, the queue
cache, the long-poll waiters, and finding a request's queue."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from lamina.config import Settings
from lamina.context import RequestContext
from lamina.services.sqs.queues import Queue, QueueCache
from lamina.services.sqs.urls import parse_queue_url
from lamina.services.sqs.waiting import Waiters
from lamina.store import Store
from lamina.store.batch import BatchWriter

T = TypeVar("T")


class SqsBase:
    store: Store
    settings: Settings
    writer: BatchWriter
    cache: QueueCache
    waiters: Waiters
    loop: asyncio.AbstractEventLoop | None

    @property
    def postgres(self) -> bool:
        return self.store.dialect == "postgresql"

    def queue_key(self, ctx: RequestContext, url: str) -> tuple[str, str, str]:
        account, name = parse_queue_url(url)
        return account, ctx.region, name

    def find_queue(self, ctx: RequestContext, url: str) -> Queue:
        """From a provider thread (or the loop, where reads do not wait)."""
        return self.cache.get(self.store.read, self.queue_key(ctx, url))

    async def queue_of(self, ctx: RequestContext, url: str) -> Queue:
        """From the event loop: a cached queue at once, else read (off the loop on PostgreSQL)."""
        key = self.queue_key(ctx, url)
        if not self.store.reads_wait:
            return self.cache.get(self.store.read, key)
        return await self.off_loop(self.cache.get, self.store.read, key)

    async def off_loop(self, function: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(None, function, *args)

    def changed(self, queue: Queue) -> None:
        """After a committed change to a queue's row: this node reads it anew."""
        self.cache.drop(queue.key)
