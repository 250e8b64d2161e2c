"""Opaque page tokens (lamina.services.pagetokens), and the fingerprint that ties a
GetMetricData token to its request."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from lamina.services.pagetokens import BadToken, decode, encode

__all__ = ["BadToken", "decode", "digest", "encode"]


def digest(params: dict[str, Any]) -> str:
    """A short fingerprint of a request less its NextToken: a token serves only the request
    that made it."""
    rest = {k: v for k, v in params.items() if k != "NextToken"}
    text = json.dumps(rest, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
