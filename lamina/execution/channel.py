"""The private channel between Lamina and a built-in runtime's bootstrap (DESIGN decision 5).

A Unix socket pair, one frame per message: a 4-byte big-endian length, then a 1-byte kind,
then a JSON header of 4-byte length, then raw bytes (a payload). No HTTP per call: a warm
invoke is one frame each way. The bootstraps (runtimes/*/bootstrap.*) speak the same framing;
they cannot import Lamina inside the sandbox, so they carry their own few lines of it.

Kinds, Lamina → runtime: SPECIALIZE {env, handler}; INVOKE {request id, deadline, …} + event.
Runtime → Lamina: READY {}; INIT_ERROR {error}; RESULT {maxrss_kb} + response bytes;
ERROR {error, maxrss_kb}. A streaming handler's answer is STREAM {content_type}, CHUNK + bytes
as often as it writes, then RESULT or ERROR with `streamed: true` (and no bytes of their own).
"""

from __future__ import annotations

import asyncio
import collections
import json
import struct
from dataclasses import dataclass
from typing import Any

from lamina import json_document

SPECIALIZE = b"S"
INVOKE = b"V"
READY = b"R"
INIT_ERROR = b"N"
RESULT = b"O"
ERROR = b"F"
STREAM = b"T"
CHUNK = b"C"

_LENGTH = struct.Struct(">I")
MAX_FRAME = 64 * 1024 * 1024


@dataclass(frozen=True)
class Frame:
    kind: bytes
    header: dict[str, Any]
    body: bytes = b""


def encode(kind: bytes, header: dict[str, Any], body: bytes = b"") -> bytes:
    head = json_document.compact(header)
    message = kind + _LENGTH.pack(len(head)) + head + body
    return _LENGTH.pack(len(message)) + message


def decode(message: bytes) -> Frame:
    kind = message[:1]
    (head_length,) = _LENGTH.unpack_from(message, 1)
    head_end = 5 + head_length
    return Frame(kind, json.loads(message[5:head_end]), message[head_end:])


class ChannelClosed(Exception):
    """The runtime's end is gone: it exited or was killed."""


class FrameProtocol(asyncio.Protocol):
    """Lamina's end of a channel: frames parsed as bytes arrive, each taken by next_frame().
    A protocol rather than asyncio's streams: a warm invoke's answer is usually one read
    holding one whole frame, handed over without the streams' buffering and readexactly
    calls (two per frame)."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._frames: collections.deque[Frame] = collections.deque()
        self._waiter: asyncio.Future[None] | None = None
        self._closed: str | None = None  # why the channel ended, once it has

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's: not a subclass

    def data_received(self, data: bytes) -> None:
        if self._closed is not None:
            return
        buffer = self._buffer
        if buffer:
            buffer += data
            data = bytes(buffer)
            buffer.clear()
        offset, size = 0, len(data)
        while size - offset >= 4:
            (length,) = _LENGTH.unpack_from(data, offset)
            if length > MAX_FRAME:
                self._end(f"frame of {length} bytes is over the limit")
                return
            if size - offset - 4 < length:
                break
            message = data[offset + 4 : offset + 4 + length]
            offset += 4 + length
            try:
                self._frames.append(decode(message))
            except (ValueError, struct.error) as error:  # a runtime that breaks the framing
                self._end(f"unreadable frame: {error}")
                return
        if offset < size:
            buffer += data[offset:]
        self._wake()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._closed is None:
            self._closed = str(exc) if exc else "the runtime closed its end"
        self._wake()

    def eof_received(self) -> bool | None:
        return None  # close the transport: connection_lost follows

    def write(self, data: bytes) -> None:
        if self.transport is None or self.transport.is_closing():
            raise ChannelClosed(self._closed or "the channel is closed")
        self.transport.write(data)

    async def next_frame(self) -> Frame:
        while True:
            if self._frames:
                return self._frames.popleft()
            if self._closed is not None:
                raise ChannelClosed(self._closed)
            waiter = self._waiter = asyncio.get_running_loop().create_future()
            try:
                await waiter
            finally:
                self._waiter = None

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def _end(self, why: str) -> None:
        self._closed = why
        self._frames.clear()
        if self.transport is not None:
            self.transport.close()
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
