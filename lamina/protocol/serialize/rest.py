"""rest-json and rest-xml: members bound to headers and the status code are taken out of the
result; what is left is the payload or the body, which the protocol's own writer encodes."""

from __future__ import annotations

import re
from typing import Any

from botocore.model import Shape, StructureShape

from lamina.protocol.plans import Plans
from lamina.protocol.serialize import values

_NEEDS_QUOTES = re.compile(r'[,"]')


def header_text(shape: Shape, value: Any) -> str:
    if shape.type_name == "list":
        return ", ".join(_list_item(shape.member, item) for item in value)
    return values.text(shape, value, timestamp_default="rfc822")


def _list_item(shape: Shape, value: Any) -> str:
    text = values.text(shape, value, timestamp_default="rfc822")
    if shape.type_name == "string" and _NEEDS_QUOTES.search(text):
        escaped = text.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    return text


class OutputPlan:
    """What of an output shape goes outside the body, worked out once per shape: its header,
    prefixed-headers and status-code members, whether any member is left for the body, and
    its payload member."""

    def __init__(self, shape: StructureShape) -> None:
        self.payload_name: str | None = shape.serialization.get("payload")
        self.bound: list[tuple[str, Shape, str, str]] = []  # name, member, location, key
        self.body_members = False
        for name, member in shape.members.items():
            if not values.outside_body(member):
                self.body_members = True
                continue
            location = member.serialization["location"]
            default = name if location == "header" else ""
            self.bound.append((name, member, location, member.serialization.get("name", default)))


output_plan: Plans[StructureShape, OutputPlan] = Plans(OutputPlan)


class Split:
    """A result taken apart: status override, headers, and what goes in the body."""

    def __init__(self, shape: StructureShape | None, result: dict[str, Any]) -> None:
        self.status: int | None = None
        self.headers: list[tuple[str, str]] = []
        self.body_members = False
        self.payload_name: str | None = None
        if shape is None:
            return
        plan = output_plan(shape)
        self.payload_name = plan.payload_name
        self.body_members = plan.body_members
        for name, member, location, key in plan.bound:
            value = result.get(name)
            if value is None:
                continue
            if location == "header":
                self.headers.append((key, header_text(member, value)))
            elif location == "headers":
                target = member.value  # a map shape
                self.headers.extend((key + k, header_text(target, v)) for k, v in value.items())
            elif location == "statusCode":
                self.status = int(value)

    def has_header(self, name: str) -> bool:
        return any(key.lower() == name.lower() for key, _ in self.headers)


def raw_payload(member: Shape, value: Any) -> tuple[bytes, str] | None:
    """A blob or string payload goes on the wire as it is, with its default content type."""
    if member.type_name == "blob":
        return values.as_bytes(value), "application/octet-stream"
    if member.type_name == "string":
        return str(value).encode(), "text/plain"
    return None
