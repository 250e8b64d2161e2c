"""A JSON document as bytes, made by json.dumps: whoever receives one in-process (Lambda's
Invoke from API Gateway, a function URL, a WebSocket route) knows it is JSON without parsing
it again to find out."""

from __future__ import annotations

import json
from typing import Any


class JsonDocument(bytes):
    __slots__ = ()


def dumps(value: Any, **options: Any) -> JsonDocument:
    """json.dumps, ASCII (its default), as bytes that say they are JSON."""
    return JsonDocument(json.dumps(value, **options).encode())
