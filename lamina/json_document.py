"""A JSON document as bytes, made by json.dumps: whoever receives one in-process (Lambda's
Invoke from API Gateway, a function URL, a WebSocket route) knows it is JSON without parsing
it again to find out."""

from __future__ import annotations

import json
from typing import Any


class JsonDocument(bytes):
    __slots__ = ()


# One encoder each, made once: json.dumps with any option builds a new JSONEncoder per call.
_COMPACT = json.JSONEncoder(separators=(",", ":"))
_SPACED = json.JSONEncoder()


def dumps(value: Any, compact: bool = True) -> JsonDocument:
    """JSON as bytes (ASCII, json.dumps's default) that say they are JSON; `compact`: no
    spaces after separators (the events' form), else json.dumps's default spacing."""
    return JsonDocument((_COMPACT if compact else _SPACED).encode(value).encode())


def compact(value: Any) -> bytes:
    """json.dumps(value, separators=(",", ":")).encode(), without a new encoder per call."""
    return _COMPACT.encode(value).encode()
