"""Page tokens. Each carries the key of the last item served, so pages are keyset-paginated:
new items neither shift nor repeat what a caller pages through."""

from __future__ import annotations

import re
from typing import Any

from lamina.services import pagetokens
from lamina.services.logs.errors import invalid_token

encode = pagetokens.encode  # an opaque token for a page of groups, streams or filtered events

# An event's place in time order: (timestamp, ordinal: its segment and its place in it, see
# events.py). AWS's event ids and GetLogEvents tokens are 56 digits; ours are too: 20 for
# the timestamp, 36 for the ordinal.
EventKey = tuple[int, int]
FIRST: EventKey = (-1, 0)  # before every event (timestamps are >= 0)
_TOKEN = re.compile(r"^([fb])/(\d{56})/s$")


def event_id(key: EventKey) -> str:
    return f"{key[0]:020d}{key[1]:036d}"


def stream_token(direction: str, key: EventKey) -> str:
    """GetLogEvents' tokens: 'f/…/s' reads on after `key`, 'b/…/s' reads back before it."""
    if key == FIRST:
        return f"{direction}/{'0' * 56}/s"
    return f"{direction}/{event_id(key)}/s"


def read_stream_token(token: str) -> tuple[str, EventKey]:
    found = _TOKEN.match(token)
    if not found:
        raise invalid_token()
    digits = found.group(2)
    key = (int(digits[:20]), int(digits[20:]))
    return found.group(1), FIRST if key == (0, 0) else key


def decode(token: str) -> Any:
    """What an opaque token for a page of groups, streams or filtered events holds."""
    try:
        return pagetokens.decode(token)
    except pagetokens.BadToken:
        raise invalid_token() from None
