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
import json
import struct
from dataclasses import dataclass
from typing import Any

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
    head = json.dumps(header, separators=(",", ":")).encode()
    message = kind + _LENGTH.pack(len(head)) + head + body
    return _LENGTH.pack(len(message)) + message


def decode(message: bytes) -> Frame:
    kind = message[:1]
    (head_length,) = _LENGTH.unpack_from(message, 1)
    head_end = 5 + head_length
    return Frame(kind, json.loads(message[5:head_end]), message[head_end:])


class ChannelClosed(Exception):
    """The runtime's end is gone: it exited or was killed."""


async def read_frame(reader: asyncio.StreamReader) -> Frame:
    try:
        (length,) = _LENGTH.unpack(await reader.readexactly(4))
        if length > MAX_FRAME:
            raise ChannelClosed(f"frame of {length} bytes is over the limit")
        return decode(await reader.readexactly(length))
    except (asyncio.IncompleteReadError, ConnectionError) as error:
        raise ChannelClosed(str(error)) from None
