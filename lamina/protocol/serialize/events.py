"""An event stream payload (a member whose shape is marked `eventstream`) written from the
model: the provider yields one {EventName: {members}} dict per event, and each becomes an
event stream message. A member marked `eventpayload` is the message's payload as it is (a blob
as bytes, a string as text, a structure as JSON); `eventheader` members are headers; an event
with neither is its members as a JSON document."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from typing import Any

from botocore.model import Shape, StructureShape

from lamina.protocol import eventstream
from lamina.protocol.serialize import json, values


def is_event_stream(shape: Shape) -> bool:
    return bool(shape.serialization.get("eventstream"))


async def write_stream(
    shape: StructureShape, events: AsyncIterable[dict[str, Any]]
) -> AsyncIterator[bytes]:
    async for item in events:
        for name, value in item.items():
            yield write_event(shape, name, value)


def write_event(shape: StructureShape, name: str, value: dict[str, Any]) -> bytes:
    member = shape.members[name]
    assert isinstance(member, StructureShape), f"event {name} is not a structure"
    headers: dict[str, str] = {}
    payload_name = None
    for key, inner in member.members.items():
        if inner.serialization.get("eventheader") and value.get(key) is not None:
            headers[key] = values.text(inner, value[key], timestamp_default="iso8601")
        elif inner.serialization.get("eventpayload"):
            payload_name = key
    if payload_name is None:
        body = {k: v for k, v in value.items() if k not in headers}
        payload, content_type = json.write_body(member, body), "application/json"
    else:
        payload, content_type = _payload(member.members[payload_name], value.get(payload_name))
    headers = {":event-type": name, ":content-type": content_type, ":message-type": "event",
               **headers}  # fmt: skip
    return eventstream.message(headers, payload)


def _payload(shape: Shape, value: Any) -> tuple[bytes, str]:
    if value is None:
        return b"", "application/octet-stream"
    if shape.type_name == "blob":
        return values.as_bytes(value), "application/octet-stream"
    if shape.type_name == "string":
        return str(value).encode(), "text/plain"
    return json.write_body(shape, value), "application/json"
