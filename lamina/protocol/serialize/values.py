"""Scalars to their wire forms, shared by every protocol: text (headers, XML, query) and the
typed JSON/CBOR forms of timestamps, blobs and special floats."""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
from typing import Any

from botocore.model import Shape

from lamina.protocol import timestamps

# Where an output member can go besides the body. uri and querystring bindings mean nothing in a
# response, so such members are written in the body (Smithy: httpQuery is ignored on output).
OUTSIDE_BODY = frozenset({"header", "headers", "statusCode"})


def outside_body(shape: Shape) -> bool:
    return shape.serialization.get("location") in OUTSIDE_BODY


def as_datetime(value: Any) -> dt.datetime:
    """Providers may hand back a datetime, epoch seconds or an ISO string; all mean an instant."""
    if isinstance(value, dt.datetime):
        return value
    return timestamps.parse(value)


def timestamp(shape: Shape, value: Any, default: str) -> str | int | float:
    fmt = shape.serialization.get("timestampFormat") or default
    return timestamps.format_timestamp(as_datetime(value), fmt)


def as_bytes(value: Any) -> bytes:
    return value.encode() if isinstance(value, str) else bytes(value)


def base64_text(value: Any) -> str:
    return base64.b64encode(as_bytes(value)).decode()


def float_text(value: float | int) -> str | float | int:
    """NaN and the infinities as AWS writes them (strings); other numbers as they are."""
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
    return value


def text(shape: Shape, value: Any, timestamp_default: str = "iso8601") -> str:
    """A scalar as text: header values, XML element text."""
    kind = shape.type_name
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "timestamp":
        return str(timestamp(shape, value, timestamp_default))
    if kind == "blob":
        return base64_text(value)
    if kind in ("float", "double"):
        return str(float_text(value))
    if kind == "string" and shape.serialization.get("jsonvalue"):
        return base64_text(json.dumps(value, separators=(",", ":")))
    return str(value)
