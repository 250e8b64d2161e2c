"""Opaque page tokens: base64 of JSON holding where the next page starts."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any


class BadToken(Exception):
    pass


def encode(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).decode()


def decode(token: str) -> Any:
    try:
        return json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, UnicodeDecodeError):
        raise BadToken(token) from None


def digest(params: dict[str, Any]) -> str:
    """A short fingerprint of a request less its NextToken: a token serves only the request
    that made it."""
    rest = {k: v for k, v in params.items() if k != "NextToken"}
    text = json.dumps(rest, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
