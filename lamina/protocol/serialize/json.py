"""Results to JSON documents (json 1.0/1.1 and rest-json bodies), and the typed-tree walk that
CBOR shares with its own scalars."""

from __future__ import annotations

import json
import weakref
from typing import Any

from botocore.model import Shape, StructureShape

from lamina.protocol.serialize import values

# Written exactly as the provider gave them.
_AS_IS = frozenset({"string", "integer", "long", "boolean", "short", "byte", "bigInteger"})

_plans: weakref.WeakKeyDictionary[Shape, list[tuple[str, str, Shape]]] = weakref.WeakKeyDictionary()


def body_members(shape: StructureShape) -> list[tuple[str, str, Shape]]:
    """(name, name on the wire, shape) of each member written in the body; worked out once."""
    plan = _plans.get(shape)
    if plan is None:
        plan = _plans[shape] = [
            (name, member.serialization.get("name", name), member)
            for name, member in shape.members.items()
            if not values.outside_body(member)
        ]
    return plan


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
        if shape.metadata.get("document"):
            return value  # a document is any JSON value, written as it is
        written = {}
        for name, wire_name, member in body_members(shape):
            item = value.get(name)
            if item is not None:
                written[wire_name] = self.value(member, item)
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
