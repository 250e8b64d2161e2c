"""Opaque page tokens shared by the services: base64 of JSON holding where the next page
starts. A token that is not one of ours raises BadToken; each service answers it with its own
error."""

from __future__ import annotations

import base64
import json
from typing import Any


class BadToken(ValueError):
    pass


def encode(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).decode()


def decode(token: str) -> Any:
    try:
        # validate=True: a token we did not make is refused, not read as the first page.
        return json.loads(base64.b64decode(token.encode(), altchars=b"-_", validate=True))
    except (ValueError, UnicodeDecodeError):
        raise BadToken(token) from None
