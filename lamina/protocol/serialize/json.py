"""Results to JSON documents (json 1.0/1.1 and rest-json bodies), and the typed-tree walk that
CBOR shares with its own scalars."""

from __future__ import annotations

import json
from typing import Any

from botocore.model import Shape, StructureShape

from lamina.protocol.plans import Plans
from lamina.protocol.serialize import values

# Written exactly as the provider gave them.
_AS_IS = frozenset({"string", "integer", "long", "boolean", "short", "byte", "bigInteger"})


class _Plan:
    """A structure's body members by name: (name on the wire, shape, written as given)."""

    __slots__ = ("document", "members")

    def __init__(self, shape: StructureShape) -> None:
        self.document = bool(shape.metadata.get("document"))
        self.members = {
            name: (member.serialization.get("name", name), member, member.type_name in _AS_IS)
            for name, member in shape.members.items()
            if not values.outside_body(member)
        }


# Worked out once per shape: the writer walks the result's keys, not every member.
plan: Plans[StructureShape, _Plan] = Plans(_Plan)


class TypedWriter:
    """Writes a result as a tree of typed values (JSON, CBOR) under a shape.

    Members bound to the uri, headers or status code are left out: the rest layer puts them
    where they go. Members a provider sets to None are absent, as on the wire.
    """

    timestamp_default = "unixTimestamp"

    def value(self, shape: Shape, value: Any) -> Any:
        kind = shape.type_name
        if kind in _AS_IS:
            return value
        if kind == "structure":
            return self.structure(shape, value)
        if kind == "list":
            member = shape.member
            return [None if item is None else self.value(member, item) for item in value]
        if kind == "map":
            target = shape.value
            return {
                str(key): None if item is None else self.value(target, item)
                for key, item in value.items()
            }
        if kind == "timestamp":
            return self.timestamp(shape, value)
        if kind == "blob":
            return self.blob(shape, value)
        if kind in ("float", "double"):
            return self.number(shape, value)
        return value

    def structure(self, shape: StructureShape, value: Any) -> Any:
        steps = plan(shape)
        if steps.document:
            return value  # a document is any JSON value, written as it is
        members = steps.members
        written = {}
        for name, item in value.items():
            step = members.get(name)  # None: not a body member (or unknown): not written
            if step is None or item is None:
                continue
            wire_name, member, as_is = step
            written[wire_name] = item if as_is else self.value(member, item)
        return written

    def timestamp(self, shape: Shape, value: Any) -> Any:
        return values.timestamp(shape, value, self.timestamp_default)

    def blob(self, shape: Shape, value: Any) -> Any:
        return values.base64_text(value)

    def number(self, shape: Shape, value: Any) -> Any:
        return values.float_text(value)


_WRITER = TypedWriter()


def document(shape: Shape, value: Any) -> Any:
    return _WRITER.value(shape, value)


def dumps(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":"), allow_nan=False).encode()


def write_body(shape: Shape, value: Any) -> bytes:
    return dumps(_WRITER.value(shape, value))
