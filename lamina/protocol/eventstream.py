"""AWS's event stream encoding (`application/vnd.amazon.eventstream`): the framing of responses
that carry a sequence of events (Lambda's InvokeWithResponseStream, S3's SelectObjectContent,
…). Each message is a prelude (total length, headers length, CRC32 of those 8 bytes), typed
headers, the payload, and a CRC32 of everything before it. Lamina only writes them; botocore
reads them on the client side."""

from __future__ import annotations

import struct
import zlib

CONTENT_TYPE = "application/vnd.amazon.eventstream"

_PRELUDE = struct.Struct(">II")
_CRC = struct.Struct(">I")
_STRING = 7  # header value types: 7 is a UTF-8 string, 2-byte length first
MAX_HEADER_VALUE = 0x7FFF


def message(headers: dict[str, str], payload: bytes = b"") -> bytes:
    """One message: `headers` (all string-valued, as events and exceptions need) and payload."""
    encoded = b"".join(_header(name, value) for name, value in headers.items())
    total = _PRELUDE.size + _CRC.size + len(encoded) + len(payload) + _CRC.size
    prelude = _PRELUDE.pack(total, len(encoded))
    head = prelude + _CRC.pack(zlib.crc32(prelude)) + encoded + payload
    return head + _CRC.pack(zlib.crc32(head))


def event(event_type: str, payload: bytes, content_type: str | None) -> bytes:
    """An event of the stream, as `:message-type: event` names it."""
    headers = {":event-type": event_type}
    if content_type:
        headers[":content-type"] = content_type
    headers[":message-type"] = "event"
    return message(headers, payload)


def exception(error_code: str, payload: bytes, content_type: str = "application/json") -> bytes:
    """A modeled error in the middle of a stream (`:message-type: exception`)."""
    headers = {
        ":exception-type": error_code,
        ":content-type": content_type,
        ":message-type": "exception",
    }
    return message(headers, payload)


def _header(name: str, value: str) -> bytes:
    raw_name, raw_value = name.encode(), value.encode()
    if len(raw_name) > 255 or len(raw_value) > MAX_HEADER_VALUE:
        raise ValueError(f"event stream header {name!r} is too long")
    return (
        bytes([len(raw_name)])
        + raw_name
        + bytes([_STRING])
        + struct.pack(">H", len(raw_value))
        + raw_value
    )
