"""SNS message attributes as the values a filter policy (MessageAttributes scope) is matched
against: String is a string; Number is a number (SNS compares numerically, 3.015e2 == 301.5);
String.Array is the JSON array its string holds, matched element by element; Binary attributes
are never compared, so a policy on one sees the attribute as absent."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def attributes_as_event(message_attributes: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """{name: {"DataType": ..., "StringValue": ...}} (the Publish API's shape) to {name: value}."""
    event: dict[str, Any] = {}
    for name, attribute in message_attributes.items():
        data_type = str(attribute.get("DataType", ""))
        text = attribute.get("StringValue")
        if text is None:
            continue
        if data_type == "String.Array":
            array = _json_array(text)
            if array is not None:
                event[name] = array
        elif data_type.split(".", 1)[0] == "Number":
            number = _number(text)
            if number is not None:
                event[name] = number
        elif data_type.split(".", 1)[0] == "String":
            event[name] = text
    return event


def _json_array(text: str) -> list[Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    # Elements that are objects or arrays hold no comparable value.
    if not isinstance(value, list):
        return None
    return [v for v in value if not isinstance(v, dict | list)]


def _number(text: str) -> float | int | None:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return None
