"""What a message may hold: its body's characters, its attributes, and their sizes, with
AWS's checks and words."""

from __future__ import annotations

import re
from typing import Any

from lamina.services.sqs.errors import (
    invalid_message_contents,
    invalid_parameter,
    not_supported,
)

# XML 1.0's characters: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF
_OUTSIDE = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z0-9_.\-]+")
MAX_ATTRIBUTES = 10
TYPES = ("String", "Number", "Binary")
SYSTEM_ATTRIBUTES = ("AWSTraceHeader",)


def check_body(body: str) -> None:
    if body == "":
        raise invalid_parameter("The request must contain a non-empty message body.")
    found = _OUTSIDE.search(body)
    if found is not None:
        raise invalid_message_contents(
            f"Invalid binary character '#x{ord(found.group()):X}' was found in the message "
            "body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | "
            "#xE000 to #xFFFD | #x10000 to #x10FFFF"
        )


def check_attributes(attributes: dict[str, dict[str, Any]]) -> int:
    """Checks MessageAttributes; their size in bytes (names, types and values)."""
    if len(attributes) > MAX_ATTRIBUTES:
        raise invalid_parameter(
            f"Number of message attributes [{len(attributes)}] exceeds the allowed maximum "
            f"[{MAX_ATTRIBUTES}]."
        )
    size = 0
    for name, value in attributes.items():
        _check_name(name)
        size += len(name.encode()) + _check_value(name, value, "(user)")
    return size


def check_system_attributes(attributes: dict[str, dict[str, Any]]) -> int:
    size = 0
    for name, value in attributes.items():
        if name not in SYSTEM_ATTRIBUTES:
            raise invalid_parameter(f"Message system attribute name '{name}' is invalid.")
        if value.get("DataType") != "String":
            raise invalid_parameter(
                f"The type of message system attribute '{name}' is invalid. You must use String."
            )
        size += len(name.encode()) + _check_value(name, value, "system")
    return size


def _check_name(name: str) -> None:
    lowered = name.lower()
    if len(name) > 256:
        raise invalid_parameter("Message (user) attribute names must be shorter than 256 Bytes")
    if not _ATTRIBUTE_NAME.fullmatch(name) or ".." in name:
        raise invalid_parameter(
            "Message (user) attributes name can only contain upper and lower score "
            "characters, digits, periods, hyphens and underscores. "
        )
    if lowered.startswith(("aws.", "amazon.")) or name.startswith(".") or name.endswith("."):
        raise invalid_parameter(f"Message (user) attribute name '{name}' is invalid.")


def _check_value(name: str, value: dict[str, Any], kind: str) -> int:
    data_type = value.get("DataType") or ""
    if not data_type:
        raise invalid_parameter(
            f"Message {kind} attribute '{name}' must contain a non-empty attribute type."
        )
    if len(data_type) > 256:
        raise invalid_parameter(
            f"Message {kind} attribute '{name}' type must be shorter than 256 Bytes."
        )
    base = data_type.split(".", 1)[0]
    if base not in TYPES:
        raise invalid_parameter(
            f"The type of message {kind} attribute '{name}' is invalid. You must use only the "
            "following supported type prefixes: Binary, Number, String."
        )
    if value.get("StringListValues") or value.get("BinaryListValues"):
        raise not_supported("StringListValues and BinaryListValues (AWS reserves them)")
    if base == "Binary":
        data = value.get("BinaryValue")
        if data is None or len(data) == 0:
            raise invalid_parameter(
                f"Message {kind} attribute '{name}' must contain a non-empty value of type "
                f"'{data_type}'."
            )
        if value.get("StringValue") is not None:
            raise invalid_parameter(
                f"Message {kind} attribute '{name}' with type 'Binary' must use field 'Binary'."
            )
        return len(data_type.encode()) + len(data)
    text = value.get("StringValue")
    if text is None or text == "":
        raise invalid_parameter(
            f"Message {kind} attribute '{name}' must contain a non-empty value of type "
            f"'{data_type}'."
        )
    if value.get("BinaryValue") is not None:
        raise invalid_parameter(
            f"Message {kind} attribute '{name}' with type '{base}' must use field 'String'."
        )
    if _OUTSIDE.search(text):
        raise invalid_parameter(f"Message {kind} attribute '{name}' contains invalid characters.")
    if base == "Number":
        _check_number(name, text, kind)
    return len(data_type.encode()) + len(text.encode())


_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _check_number(name: str, text: str, kind: str) -> None:
    if not _NUMBER.fullmatch(text.strip()):
        raise invalid_parameter(
            f"Can't cast the value of message {kind} attribute '{name}' to a number."
        )
    digits = text.strip().lstrip("+-").split("e")[0].split("E")[0].replace(".", "").lstrip("0")
    if len(digits) > 38:
        raise invalid_parameter(
            f"Value {text} for message {kind} attribute '{name}' is outside the allowed range "
            "of a number (38 digits of precision, 10^-128 to 10^+126)."
        )
