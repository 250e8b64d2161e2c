"""XML bodies (rest-xml) to params.

Element and attribute names are compared without their namespace: clients put the service's
xmlNamespace on the root, and AWS does not reject a body for a missing or different one.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

from botocore.model import ListShape, MapShape, Shape, StructureShape

from lamina.protocol.parse import values
from lamina.protocol.parse.values import BadInput

Element = ElementTree.Element


def local_name(tag: str) -> str:
    """'{uri}Name' or 'prefix:Name' to 'Name'."""
    return tag.rpartition("}")[2].rpartition(":")[2]


def load(body: bytes) -> Element | None:
    """The root element, or None for an empty body."""
    if not body.strip():
        return None
    try:
        return ElementTree.fromstring(body)
    except (ElementTree.ParseError, ValueError, RecursionError):
        raise BadInput("The XML you provided was not well-formed.") from None


def parse_body(shape: Shape, body: bytes) -> Any:
    """The whole body read as `shape`; None when the body is empty."""
    root = load(body)
    return None if root is None else parse_element(shape, root)


def parse_element(shape: Shape, node: Element) -> Any:
    kind = shape.type_name
    if kind == "structure":
        return _structure(shape, node)
    if kind == "list":
        return _list(shape, _children(node).get(_item_name(shape), []))
    if kind == "map":
        return _map(shape, _children(node).get("entry", []))
    return values.from_text(shape, node.text or "")


def _children(node: Element) -> dict[str, list[Element]]:
    grouped: dict[str, list[Element]] = {}
    for child in node:
        if isinstance(child.tag, str):  # skips comments and processing instructions
            grouped.setdefault(local_name(child.tag), []).append(child)
    return grouped


def _structure(shape: StructureShape, node: Element) -> dict[str, Any]:
    children = _children(node)
    attributes = {local_name(key): value for key, value in node.attrib.items()}
    parsed: dict[str, Any] = {}
    for name, member in shape.members.items():
        serialization = member.serialization
        if serialization.get("location"):
            continue  # bound to the uri, a header or the query string
        xml_name = local_name(serialization.get("name", name))
        if serialization.get("xmlAttribute"):
            if xml_name in attributes:
                parsed[name] = values.from_text(member, attributes[xml_name])
            continue
        # botocore gives a member the locationName of the shape it targets when the member has
        # none; Smithy names the element after the member then. Either is read.
        found = children.get(xml_name) or children.get(name)
        if found:
            parsed[name] = _member(member, found)
    return parsed


def _member(shape: Shape, found: list[Element]) -> Any:
    """A member from the elements named after it: several when it is a flattened collection."""
    if shape.serialization.get("flattened"):
        if shape.type_name == "list":
            return _list(shape, found)
        if shape.type_name == "map":
            return _map(shape, found)
    return parse_element(shape, found[0])


def _item_name(shape: ListShape) -> str:
    return local_name(shape.member.serialization.get("name", "member"))


def _list(shape: ListShape, items: list[Element]) -> list[Any]:
    return [parse_element(shape.member, item) for item in items]


def _map(shape: MapShape, entries: list[Element]) -> dict[str, Any]:
    key_name = local_name(shape.key.serialization.get("name", "key"))
    value_name = local_name(shape.value.serialization.get("name", "value"))
    parsed = {}
    for entry in entries:
        parts = _children(entry)
        keys, found = parts.get(key_name), parts.get(value_name)
        if not keys:
            raise BadInput("A map entry has no key.")
        key = keys[0].text or ""
        parsed[key] = parse_element(shape.value, found[0]) if found else None
    return parsed
