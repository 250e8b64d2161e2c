"""JSON bodies (json 1.0/1.1 and rest-json) to params, and the typed-tree walk CBOR shares."""

from __future__ import annotations

import json
from typing import Any

from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

from lamina.protocol.http import HttpRequest
from lamina.protocol.parse import values
from lamina.protocol.parse.values import FLOAT_TYPES, INTEGER_TYPES, BadInput
from lamina.protocol.plans import Plans

_JSON_KINDS = {
    dict: "an object",
    list: "an array",
    str: "a string",
    bool: "a boolean",
    bytes: "a byte string",
}


def describe(value: Any) -> str:
    if value is None:
        return "null"
    return _JSON_KINDS.get(type(value), "a number")


class TypedTree:
    """Reads a decoded document whose values already have types (JSON, CBOR) against a shape.

    Subclasses override the scalars that differ between the encodings.
    """

    def value(self, shape: Shape, value: Any) -> Any:
        kind = shape.type_name
        if kind == "structure":
            return self.structure(shape, value)
        if kind == "list":
            return self.sequence(shape, value)
        if kind == "map":
            return self.mapping(shape, value)
        if kind in INTEGER_TYPES:
            return self.integer(shape, value)
        if kind in FLOAT_TYPES:
            return self.number(shape, value)
        if kind == "string":
            return self.string(shape, value)
        if kind == "boolean":
            return self.boolean(shape, value)
        if kind == "timestamp":
            return self.timestamp(shape, value)
        if kind == "blob":
            return self.blob(shape, value)
        raise BadInput(f"Unsupported member type {kind}.")

    def structure(self, shape: StructureShape, value: Any) -> Any:
        plan = _body_plan(shape)
        if plan.document:
            return value  # a document type is any JSON value, kept as it came
        self.expect(isinstance(value, dict), shape, value)
        by_key = plan.by_key
        parsed = {}
        # The document's keys, not the shape's members: a request sets few of them.
        last, ordered = -1, True
        for key, item in value.items():
            if item is None:
                continue  # null means absent, as the SDKs write it
            found = by_key.get(key)
            if found is not None:  # a key the model does not know is ignored, as AWS does
                name, member, index = found
                parsed[name] = self.value(member, item)
                ordered = ordered and index > last
                last = index
        if not ordered:  # in the model's order, as the validator reports violations
            order = plan.order
            return dict(sorted(parsed.items(), key=lambda pair: order[pair[0]]))
        return parsed

    def sequence(self, shape: ListShape, value: Any) -> list[Any]:
        self.expect(isinstance(value, list), shape, value)
        member = shape.member
        # A null element only survives in a sparse list; keeping it is the honest reading.
        return [None if item is None else self.value(member, item) for item in value]

    def mapping(self, shape: MapShape, value: Any) -> dict[str, Any]:
        self.expect(isinstance(value, dict), shape, value)
        target = shape.value
        return {
            self.map_key(key): None if item is None else self.value(target, item)
            for key, item in value.items()
        }

    def map_key(self, key: Any) -> str:
        if not isinstance(key, str):
            raise BadInput("Map keys must be strings.")
        return key

    def expect(self, ok: bool, shape: Shape, value: Any) -> None:
        if not ok:
            raise BadInput(f"Expected {shape.type_name} for {shape.name}, got {describe(value)}.")

    def string(self, shape: Shape, value: Any) -> Any:
        self.expect(isinstance(value, str), shape, value)
        return value

    def boolean(self, shape: Shape, value: Any) -> Any:
        self.expect(isinstance(value, bool), shape, value)
        return value

    def integer(self, shape: Shape, value: Any) -> int:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        self.expect(isinstance(value, int) and not isinstance(value, bool), shape, value)
        return int(value)

    def number(self, shape: Shape, value: Any) -> float:
        if isinstance(value, str) and value in values.SPECIAL_FLOATS:
            return values.SPECIAL_FLOATS[value]
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        self.expect(ok, shape, value)
        return float(value)

    def timestamp(self, shape: Shape, value: Any) -> Any:
        ok = isinstance(value, str | int | float) and not isinstance(value, bool)
        self.expect(ok, shape, value)
        return values.to_timestamp(value)

    def blob(self, shape: Shape, value: Any) -> Any:
        self.expect(isinstance(value, str), shape, value)
        return values.to_blob(value)


_TREE = TypedTree()


class _BodyPlan:
    """A structure's body members by their key on the wire, worked out once per shape."""

    __slots__ = ("by_key", "document", "order")

    def __init__(self, shape: StructureShape) -> None:
        self.document = bool(shape.metadata.get("document"))
        self.by_key: dict[str, tuple[str, Shape, int]] = {}
        self.order: dict[str, int] = {}
        for index, (name, member) in enumerate(shape.members.items()):
            if member.serialization.get("location"):
                continue  # bound to the uri, a header or the query string, never the body
            self.by_key[member.serialization.get("name", name)] = (name, member, index)
            self.order[name] = index


_body_plan: Plans[StructureShape, _BodyPlan] = Plans(_BodyPlan)


def load(body: bytes) -> Any:
    """The JSON document in a body; an empty body is an empty object, as AWS reads it."""
    if not body.strip():
        return {}
    try:
        return json.loads(body, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise BadInput("The request body is not valid JSON.") from None


def _reject_constant(name: str) -> float:
    # Bare NaN/Infinity are not JSON; AWS sends them as strings.
    raise ValueError(name)


def parse_document(shape: Shape, document: Any) -> Any:
    return _TREE.value(shape, document)


def parse_body(shape: Shape, body: bytes) -> Any:
    return _TREE.value(shape, load(body))


def parse(operation: OperationModel, request: HttpRequest) -> dict[str, Any]:
    """json 1.0 / 1.1: the whole input is the body."""
    shape = operation.input_shape
    if shape is None:
        return {}
    parsed = parse_body(shape, request.body)
    return parsed if isinstance(parsed, dict) else {}
