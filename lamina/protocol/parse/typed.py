"""The typed-tree walk JSON and CBOR share: a decoded document whose values already have types,
read against a shape.

Each shape is compiled once into a reader, a function of the value alone, chosen for the
shape's type when the reader is built: the walk then costs one call per node, with no
dispatch on the shape's type name and no plan looked up per node. Members whose decoded value
is already what the parse gives (a str for a string, an int for an integer, in JSON) are taken
without a call at all.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from botocore.model import Shape

from lamina.protocol.parse import values
from lamina.protocol.parse.values import FLOAT_TYPES, INTEGER_TYPES, BadInput
from lamina.protocol.plans import Plans

Reader = Callable[[Any], Any]

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


class Never:
    """A type no decoded value has: the 'as given' type of members that always need reading."""


def _as_given(value: Any) -> Any:
    return value


class TypedTree:
    """Reads a decoded document whose values already have types (JSON, CBOR) against a shape.

    Subclasses override the scalars that differ between the encodings, and `as_given`.
    """

    def __init__(self) -> None:
        # Per root shape (an operation's input, a payload member), for as long as it lives.
        self._readers: Plans[Shape, Reader] = Plans(lambda shape: _Compiler(self).reader(shape))

    def value(self, shape: Shape, value: Any) -> Any:
        return self._readers(shape)(value)

    def as_given(self, shape: Shape) -> type:
        """The Python type whose values, for a member of `shape`'s type, the scalar reader
        would hand back unchanged: such values are kept without calling it."""
        kind = shape.type_name
        if kind == "string":
            return str
        if kind == "boolean":
            return bool
        if kind in INTEGER_TYPES:
            return int  # exactly int: a bool is refused, a whole float converted
        if kind in FLOAT_TYPES:
            return float
        return Never

    def map_key(self, key: Any) -> str:
        if not isinstance(key, str):
            raise BadInput("Map keys must be strings.")
        return key

    def expect(self, ok: bool, shape: Shape, value: Any) -> None:
        if not ok:
            raise mismatch(shape.type_name, shape.name, value)

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


def mismatch(type_name: str, name: str, value: Any) -> BadInput:
    return BadInput(f"Expected {type_name} for {name}, got {describe(value)}.")


class _Compiler:
    """Builds the readers below one root shape. Containers are shared by name within the
    root's model (botocore makes a new Shape object at every reference, so a recursive shape
    would otherwise be compiled forever); a container is registered before its children are
    compiled, so that one holding itself finds its own reader."""

    def __init__(self, tree: TypedTree) -> None:
        self.tree = tree
        self.built: dict[tuple[str, str], Reader] = {}

    def reader(self, shape: Shape) -> Reader:
        kind = shape.type_name
        tree = self.tree
        if kind in ("structure", "list", "map"):
            found = self.built.get((shape.name, kind))
            if found is not None:
                return found
            if kind == "structure":
                return self.structure(shape)
            if kind == "list":
                return self.sequence(shape)
            return self.mapping(shape)
        if kind in INTEGER_TYPES:
            return partial(tree.integer, shape)
        if kind in FLOAT_TYPES:
            return partial(tree.number, shape)
        if kind == "string":
            return partial(tree.string, shape)
        if kind == "boolean":
            return partial(tree.boolean, shape)
        if kind == "timestamp":
            return partial(tree.timestamp, shape)
        if kind == "blob":
            return partial(tree.blob, shape)
        return partial(_unsupported, kind)  # raised only when such a member is sent

    def structure(self, shape: Shape) -> Reader:
        key = (shape.name, shape.type_name)
        if shape.metadata.get("document"):
            self.built[key] = _as_given  # a document type is any JSON value, kept as it came
            return _as_given
        # wire key -> (member name, position in the model, type kept as given, reader)
        by_key: dict[str, tuple[str, int, type, Reader]] = {}
        order: dict[str, int] = {}
        type_name, shape_name = shape.type_name, shape.name

        def read(value: Any) -> Any:
            if not isinstance(value, dict):
                raise mismatch(type_name, shape_name, value)
            parsed = {}
            # The document's keys, not the shape's members: a request sets few of them.
            last, ordered = -1, True
            for key, item in value.items():
                if item is None:
                    continue  # null means absent, as the SDKs write it
                found = by_key.get(key)
                if found is not None:  # a key the model does not know is ignored, as AWS does
                    name, index, given, read_member = found
                    parsed[name] = item if type(item) is given else read_member(item)
                    if index < last:
                        ordered = False
                    last = index
            if not ordered:  # in the model's order, as the validator reports violations
                return dict(sorted(parsed.items(), key=lambda pair: order[pair[0]]))
            return parsed

        self.built[key] = read
        for index, (name, member) in enumerate(shape.members.items()):
            if member.serialization.get("location"):
                continue  # bound to the uri, a header or the query string, never the body
            wire = member.serialization.get("name", name)
            by_key[wire] = (name, index, self.tree.as_given(member), self.reader(member))
            order[name] = index
        return read

    def sequence(self, shape: Shape) -> Reader:
        slot: list[Reader] = []  # the element reader, filled once registered
        type_name, shape_name = shape.type_name, shape.name

        def read(value: Any) -> list[Any]:
            if not isinstance(value, list):
                raise mismatch(type_name, shape_name, value)
            read_item = slot[0]
            # A null element only survives in a sparse list; keeping it is the honest reading.
            return [
                item if type(item) is given else None if item is None else read_item(item)
                for item in value
            ]

        self.built[(shape.name, shape.type_name)] = read
        member = shape.member
        given = self.tree.as_given(member)
        slot.append(self.reader(member))
        return read

    def mapping(self, shape: Shape) -> Reader:
        slot: list[Reader] = []
        type_name, shape_name = shape.type_name, shape.name
        map_key = self.tree.map_key

        def read(value: Any) -> dict[str, Any]:
            if not isinstance(value, dict):
                raise mismatch(type_name, shape_name, value)
            read_item = slot[0]
            return {
                (key if type(key) is str else map_key(key)): (
                    item if type(item) is given else None if item is None else read_item(item)
                )
                for key, item in value.items()
            }

        self.built[(shape.name, shape.type_name)] = read
        target = shape.value
        given = self.tree.as_given(target)
        slot.append(self.reader(target))
        return read


def _unsupported(kind: str, value: Any) -> Any:
    raise BadInput(f"Unsupported member type {kind}.")
