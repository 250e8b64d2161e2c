"""The typed-tree walk JSON and CBOR share: a result written as a tree of typed values under a
shape.

Each shape is compiled once into a writer, a function of the value alone, chosen for the
shape's type when the writer is built; a shape whose values are written as the provider gave
them (strings, integers, booleans, documents) has no writer at all, so its members are
copied without a call.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from botocore.model import Shape

from lamina.protocol.plans import Plans
from lamina.protocol.serialize import values

Writer = Callable[[Any], Any]

# Written exactly as the provider gave them.
_AS_IS = frozenset({"string", "integer", "long", "boolean", "short", "byte", "bigInteger"})


def _as_given(value: Any) -> Any:
    return value


class TypedWriter:
    """Writes a result as a tree of typed values (JSON, CBOR) under a shape.

    Members bound to the uri, headers or status code are left out: the rest layer puts them
    where they go. Members a provider sets to None are absent, as on the wire. Subclasses
    override the scalars that differ between the encodings.
    """

    timestamp_default = "unixTimestamp"

    def __init__(self) -> None:
        # Per root shape (an operation's output, a payload member), for as long as it lives.
        self._writers: Plans[Shape, Writer] = Plans(
            lambda shape: _Compiler(self).writer(shape) or _as_given
        )

    def value(self, shape: Shape, value: Any) -> Any:
        return self._writers(shape)(value)

    def timestamp(self, shape: Shape, value: Any) -> Any:
        return values.timestamp(shape, value, self.timestamp_default)

    def blob(self, shape: Shape, value: Any) -> Any:
        return values.base64_text(value)

    def number(self, shape: Shape, value: Any) -> Any:
        return values.float_text(value)


class _Compiler:
    """Builds the writers below one root shape; None stands for "written as given".

    Containers are shared by name within the root's model (botocore makes a new Shape object
    at every reference, so a recursive shape would otherwise be compiled forever); a
    container is registered before its children are compiled, so that one holding itself
    finds its own writer."""

    def __init__(self, writer: TypedWriter) -> None:
        self.typed = writer
        self.built: dict[tuple[str, str], Writer | None] = {}

    def writer(self, shape: Shape) -> Writer | None:
        kind = shape.type_name
        if kind in _AS_IS:
            return None
        if kind in ("structure", "list", "map"):
            key = (shape.name, kind)
            if key in self.built:
                return self.built[key]
            if kind == "structure":
                return self.structure(shape)
            if kind == "list":
                return self.sequence(shape)
            return self.mapping(shape)
        if kind == "timestamp":
            return partial(self.typed.timestamp, shape)
        if kind == "blob":
            return partial(self.typed.blob, shape)
        if kind in ("float", "double"):
            return partial(self.typed.number, shape)
        return None

    def structure(self, shape: Shape) -> Writer | None:
        key = (shape.name, shape.type_name)
        if shape.metadata.get("document"):
            self.built[key] = None  # a document is any JSON value, written as it is
            return None
        # Body members written as given under their own name (most of them), by name; the
        # others: member name -> (name on the wire, writer or None).
        plain: set[str] = set()
        members: dict[str, tuple[str, Writer | None]] = {}

        def write(value: Any) -> Any:
            written = {}
            # The result's keys, not every member: a result sets few of them.
            for name, item in value.items():
                if item is None:
                    continue
                if name in plain:
                    written[name] = item
                    continue
                step = members.get(name)  # None: not a body member (or unknown): not written
                if step is not None:
                    wire_name, write_member = step
                    written[wire_name] = item if write_member is None else write_member(item)
            return written

        self.built[key] = write
        for name, member in shape.members.items():
            if values.outside_body(member):
                continue
            wire_name, write_member = member.serialization.get("name", name), self.writer(member)
            if wire_name == name and write_member is None:
                plain.add(name)
            else:
                members[name] = (wire_name, write_member)
        return write

    def sequence(self, shape: Shape) -> Writer:
        slot: list[Writer | None] = []  # the element writer, filled once registered

        def write(value: Any) -> list[Any]:
            write_item = slot[0]
            if write_item is None:
                return list(value)
            return [None if item is None else write_item(item) for item in value]

        self.built[(shape.name, shape.type_name)] = write
        slot.append(self.writer(shape.member))
        return write

    def mapping(self, shape: Shape) -> Writer:
        slot: list[Writer | None] = []

        def write(value: Any) -> dict[str, Any]:
            write_item = slot[0]
            if write_item is None:
                return {str(key): item for key, item in value.items()}
            return {
                str(key): None if item is None else write_item(item) for key, item in value.items()
            }

        self.built[(shape.name, shape.type_name)] = write
        slot.append(self.writer(shape.value))
        return write
