"""Response streaming between a runtime and whoever invoked it. A runtime that streams (Node's
awslambda.streamifyResponse, a custom runtime posting its response chunked) declares a content
type, then writes bytes; its link hands each piece to the invocation's sink as it arrives.

The sink of a streaming invoke (InvokeWithResponseStream, a RESPONSE_STREAM function URL)
passes them on to its client; a buffered invoke (Invoke) gets a Collector, and the whole
stream becomes its payload, as on AWS."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Protocol, TypeVar

T = TypeVar("T")

DEFAULT_CONTENT_TYPE = "application/octet-stream"  # what AWS's runtimes declare by default
# A streamed response's limit: 200 MB, as Lambda documents it.
MAX_STREAMED = 200 * 1024 * 1024


class ResponseSink(Protocol):
    async def begin(self, content_type: str) -> None:
        """The runtime started streaming, with this content type (before any byte)."""

    async def write(self, chunk: bytes) -> None:
        """Bytes of the response, in order; awaited, so a slow reader slows the writer."""


class Collector:
    """A buffered invoke of a function that streams: the whole stream, as one payload."""

    def __init__(self, limit: int) -> None:
        self.limit = limit  # past it, nothing more is kept: the invoker refuses it as too large
        self.content_type = ""
        self.size = 0
        self._parts: list[bytes] = []

    async def begin(self, content_type: str) -> None:
        self.content_type = content_type

    async def write(self, chunk: bytes) -> None:
        if self.size <= self.limit:  # the piece that crosses it is kept: the body says so
            self._parts.append(chunk)
        self.size += len(chunk)

    @property
    def body(self) -> bytes:
        return b"".join(self._parts)


_END = object()


class StreamedResponse:
    """A streaming invoke's sink: what the runtime streams, for one reader to take as it comes
    (`started` resolves when the runtime declared its content type)."""

    def __init__(self, queued: int = 16) -> None:
        self.started: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.size = 0
        self.dropped = False  # the reader went away: the rest is discarded, not queued
        self._queue: asyncio.Queue[object] = asyncio.Queue(queued)

    async def begin(self, content_type: str) -> None:
        if not self.started.done():
            self.started.set_result(content_type or DEFAULT_CONTENT_TYPE)

    async def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if chunk and not self.dropped and self.size <= MAX_STREAMED:
            await self._queue.put(chunk)

    @property
    def begun(self) -> bool:
        return self.started.done() and not self.started.cancelled()

    @property
    def too_large(self) -> bool:
        return self.size > MAX_STREAMED

    def end(self) -> None:
        """The invocation is over (however it ended): the reader's chunks() ends."""
        if not self.started.done():
            self.started.cancel()
        if self._queue.full():  # the reader is behind: the end goes in once it has room
            asyncio.get_running_loop().create_task(self._queue.put(_END))
        else:
            self._queue.put_nowait(_END)

    def drop(self) -> None:
        """The reader is gone: let the writer run on without waiting for it."""
        self.dropped = True
        while not self._queue.empty():
            self._queue.get_nowait()

    async def chunks(self) -> AsyncIterator[bytes]:
        while True:
            item = await self._queue.get()
            if item is _END:
                return
            yield item  # type: ignore[misc]


class Guarded(AsyncIterator[T]):
    """What a reader reads from a running invocation: closed before its end (the client went
    away, or the response never started), it calls `abandon`, so the function's writes are
    dropped instead of waiting for a reader that will not come."""

    def __init__(self, inner: AsyncIterator[T], abandon: Callable[[], None]) -> None:
        self._inner = inner
        self._abandon = abandon
        self._ended = False

    def __aiter__(self) -> Guarded[T]:
        return self

    async def __anext__(self) -> T:
        try:
            return await anext(self._inner)
        except BaseException:
            self._ended = True  # at its end, or failed: either way read no more
            raise

    async def aclose(self) -> None:
        if not self._ended:
            self._ended = True
            self._abandon()
        close = getattr(self._inner, "aclose", None)
        if close is not None:
            await close()
