"""Results to XML: rest-xml bodies, and the Result element of query and ec2 responses.

Names come from the model: a member's locationName (else its own name), list items named by the
list member's locationName (else 'member'), maps as entry/key/value, flattened collections
repeated in place, xmlAttribute members as attributes, xmlNamespace as xmlns.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

from botocore.model import MapShape, Shape, StructureShape

from lamina.protocol.serialize import values

Element = ElementTree.Element


def tostring(root: Element) -> bytes:
    # ElementTree leaves a carriage return raw, which every XML reader turns into a newline;
    # markup never holds one, so each raw CR is text and is written as a character reference.
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True).replace(
        b"\r", b"&#13;"
    )


def set_namespace(node: Element, namespace: Any) -> None:
    """`namespace` is a model's xmlNamespace: a uri, or {'uri': ..., 'prefix': ...}."""
    if not namespace:
        return
    if isinstance(namespace, str):
        node.set("xmlns", namespace)
        return
    prefix = namespace.get("prefix")
    node.set(f"xmlns:{prefix}" if prefix else "xmlns", namespace.get("uri", ""))


def element(name: str, shape: Shape, value: Any) -> Element:
    node = Element(name)
    set_namespace(node, shape.serialization.get("xmlNamespace"))
    fill(node, shape, value)
    return node


def fill(node: Element, shape: Shape, value: Any) -> None:
    kind = shape.type_name
    if kind == "structure":
        _structure(node, shape, value)
    elif kind == "list":
        item = shape.member
        item_name = item.serialization.get("name", "member")
        node.extend(element(item_name, item, part) for part in value)
    elif kind == "map":
        for key, item in value.items():
            node.append(_entry("entry", shape, key, item))
    else:
        node.text = values.text(shape, value)


def _structure(node: Element, shape: StructureShape, value: dict[str, Any]) -> None:
    for name, member in shape.members.items():
        item = value.get(name)
        serialization = member.serialization
        if item is None or values.outside_body(member):
            continue
        xml_name = serialization.get("name", name)
        if serialization.get("xmlAttribute"):
            node.set(xml_name, values.text(member, item))
        elif serialization.get("flattened") and member.type_name == "list":
            item_name = member.member.serialization.get("name", xml_name)
            node.extend(element(item_name, member.member, part) for part in item)
        elif serialization.get("flattened") and member.type_name == "map":
            node.extend(_entry(xml_name, member, k, v) for k, v in item.items())
        else:
            node.append(element(xml_name, member, item))


def _entry(name: str, shape: MapShape, key: Any, item: Any) -> Element:
    entry = Element(name)
    key_node = Element(shape.key.serialization.get("name", "key"))
    key_node.text = str(key)
    entry.append(key_node)
    if item is not None:
        entry.append(element(shape.value.serialization.get("name", "value"), shape.value, item))
    return entry
