"""Scalars from their text form, shared by every protocol, and the one error they raise.

Text forms appear in query strings, headers, uri labels, form bodies and XML; JSON and CBOR
bodies carry typed values and only fall back on these for strings (NaN, timestamps, blobs).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
import re
from typing import Any

from botocore.model import Shape

from lamina.protocol import timestamps

INTEGER_TYPES = frozenset({"integer", "long", "short", "byte", "bigInteger"})
FLOAT_TYPES = frozenset({"float", "double", "bigDecimal"})
SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
# Python's int() and float() also take '1_000', 'nan' and non-ASCII digits; AWS does not.
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)


class BadInput(Exception):
    """A request that cannot be read as its model says. parse_request turns it into the
    protocol's own error; `in_body` tells an unreadable body from a bad header or query value."""

    def __init__(self, message: str, in_body: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.in_body = in_body


def to_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise BadInput(f"Invalid boolean value '{text}'.")


def to_int(text: str) -> int:
    if not _INTEGER.fullmatch(text.strip()):
        raise BadInput(f"Invalid integer value '{text}'.")
    return int(text)


def to_float(text: str) -> float:
    special = SPECIAL_FLOATS.get(text.strip())
    if special is not None:
        return special
    if not _NUMBER.fullmatch(text.strip()):
        raise BadInput(f"Invalid number value '{text}'.")
    return float(text)


def to_timestamp(value: str | int | float) -> dt.datetime:
    """Any of the three AWS formats: iso8601, epoch seconds, rfc822."""
    if isinstance(value, bool):
        raise BadInput(f"Invalid timestamp value '{value}'.")
    try:
        return timestamps.parse(value)
    except (ValueError, OverflowError, OSError, RuntimeError):
        raise BadInput(f"Invalid timestamp value '{value}'.") from None


def to_blob(text: str) -> bytes:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise BadInput("Invalid base64 value for a blob member.") from None


def json_header(text: str) -> Any:
    """A jsonvalue header: base64 of a JSON document (e.g. Lambda's client context)."""
    try:
        return json.loads(to_blob(text))
    except (ValueError, UnicodeDecodeError):
        raise BadInput("Invalid JSON value in a header.", in_body=False) from None


def from_text(shape: Shape, text: str) -> Any:
    """A scalar member from its text form (query string, header, label, form field, XML)."""
    kind = shape.type_name
    if kind == "string":
        return text
    if kind in INTEGER_TYPES:
        return to_int(text)
    if kind in FLOAT_TYPES:
        return to_float(text)
    if kind == "boolean":
        return to_bool(text)
    if kind == "timestamp":
        # The declared format is what clients send, but any of the three is read.
        return to_timestamp(text)
    if kind == "blob":
        return to_blob(text)
    raise BadInput(f"A {kind} cannot be given as text.")
