"""query and ec2: form fields ('Name.member.1.Key=...') to params.

The fields come from the form body and the URL's query string alike: AWS reads both, and older
clients send GET requests with everything in the URL.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

from lamina.protocol.http import HttpRequest
from lamina.protocol.parse import values
from lamina.protocol.parse.values import BadInput


class Field:
    """One dotted path component: its own value, if sent, and the fields below it."""

    __slots__ = ("children", "value")

    def __init__(self) -> None:
        self.value: str | None = None
        self.children: dict[str, Field] = {}


def form_fields(request: HttpRequest) -> list[tuple[str, str]]:
    """The decoded fields of the query string, then of a form body."""
    try:
        fields = parse_qsl(request.query, keep_blank_values=True, errors="strict")
        content_type = request.headers.get("Content-Type", "")
        if request.body and (not content_type or "x-www-form-urlencoded" in content_type):
            fields += parse_qsl(request.body.decode(), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise BadInput("The query string is malformed.", in_body=False) from None
    return fields


def field_tree(fields: list[tuple[str, str]]) -> Field:
    root = Field()
    for key, value in fields:
        node = root
        for part in key.split("."):
            node = node.children.setdefault(part, Field())
        if node.value is None:  # the first of repeated fields wins
            node.value = value
    return root


def parse(operation: OperationModel, request: HttpRequest, ec2: bool = False) -> dict[str, Any]:
    shape = operation.input_shape
    if shape is None:
        return {}
    reader = Ec2Reader() if ec2 else QueryReader()
    return reader.structure(shape, field_tree(form_fields(request)))


class QueryReader:
    def name(self, shape: Shape, default: str) -> str:
        return shape.serialization.get("name", default)

    def value(self, shape: Shape, node: Field) -> Any:
        kind = shape.type_name
        if kind == "structure":
            return self.structure(shape, node)
        if kind == "list":
            return self.sequence(shape, node)
        if kind == "map":
            return self.mapping(shape, node)
        if node.value is None:
            raise BadInput(f"A value is missing for a {kind} parameter.")
        return values.from_text(shape, node.value)

    def structure(self, shape: StructureShape, node: Field) -> dict[str, Any]:
        parsed = {}
        for name, member in shape.members.items():
            found = self.member_field(member, node, self.name(member, name))
            if found is not None:
                parsed[name] = self.value(member, found)
        return parsed

    def member_field(self, member: Shape, parent: Field, name: str) -> Field | None:
        if member.serialization.get("flattened") and member.type_name == "list":
            # A flattened list's items take the member's own name, when it has one, in place
            # of the list's: 'Item.1' rather than 'Items.1' (as botocore writes them).
            item_name = member.member.serialization.get("name")
            if item_name and item_name in parent.children:
                return parent.children[item_name]
        return parent.children.get(name)

    def sequence(self, shape: ListShape, node: Field) -> list[Any]:
        if shape.serialization.get("flattened"):
            items = node
        else:
            items = node.children.get(self.name(shape.member, "member"), Field())
        return [self.value(shape.member, item) for item in _numbered(items)]

    def mapping(self, shape: MapShape, node: Field) -> dict[str, Any]:
        entries = node if shape.serialization.get("flattened") else node.children.get("entry")
        if entries is None:
            return {}
        key_name = self.name(shape.key, "key")
        value_name = self.name(shape.value, "value")
        parsed = {}
        for entry in _numbered(entries):
            key = entry.children.get(key_name)
            if key is None or key.value is None:
                raise BadInput("A map entry has no key.")
            value = entry.children.get(value_name)
            parsed[key.value] = None if value is None else self.value(shape.value, value)
        return parsed


class Ec2Reader(QueryReader):
    """ec2 names fields by queryName, else by the capitalized locationName; lists are always
    'Name.N', without 'member'."""

    def name(self, shape: Shape, default: str) -> str:
        serialization = shape.serialization
        if "queryName" in serialization:
            return serialization["queryName"]
        if "name" in serialization:
            name = serialization["name"]
            return name[:1].upper() + name[1:]
        return default

    def member_field(self, member: Shape, parent: Field, name: str) -> Field | None:
        # Smithy's ec2Query capitalizes every member name; botocore sends a member without a
        # locationName as it is spelled. Either is read.
        found = parent.children.get(name)
        if found is None and name[:1].islower():
            found = parent.children.get(name[:1].upper() + name[1:])
        return found

    def sequence(self, shape: ListShape, node: Field) -> list[Any]:
        return [self.value(shape.member, item) for item in _numbered(node)]


def _numbered(node: Field) -> list[Field]:
    """The children '1', '2', ... in numeric order; AWS numbers from 1 and so do the SDKs."""
    numbered = [(int(key), child) for key, child in node.children.items() if key.isdecimal()]
    return [child for _, child in sorted(numbered, key=lambda pair: pair[0])]
