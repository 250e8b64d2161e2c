"""Recently read function configurations, for Invoke's hot path.

An invoke needs the function's configuration; reading it from the store costs more than the
rest of a warm invoke. Entries live TTL_S. A change made through this node drops its entry
once committed, so this node's next invoke reads anew; a change made by another node of a
fleet reaches invokes here within TTL_S (Lambda, too, applies configuration changes to
invocations after a short delay)."""

from __future__ import annotations

import threading
import time

from lamina.services.lambda_.arns import FunctionRef
from lamina.services.lambda_.functions import FunctionVersion

TTL_S = 1.0
Key = tuple[str, str, str]


def key_of(ref: FunctionRef) -> Key:
    return (ref.account_id, ref.region, ref.name)


class RecentFunctions:
    def __init__(self, ttl_s: float = TTL_S) -> None:
        self.ttl_s = ttl_s
        self._entries: dict[Key, tuple[float, FunctionVersion]] = {}
        self._dropped: dict[Key, float] = {}  # when each entry was last dropped
        self._lock = threading.Lock()

    def get(self, ref: FunctionRef) -> FunctionVersion | None:
        found = self._entries.get(key_of(ref))
        if found is None or time.monotonic() - found[0] > self.ttl_s:
            return None
        return found[1]

    def put(self, ref: FunctionRef, function: FunctionVersion, read_at: float) -> None:
        """`read_at`: monotonic time before the read, so a drop during it wins."""
        with self._lock:
            dropped = self._dropped.get(key_of(ref), 0.0)
            if dropped < read_at:
                self._entries[key_of(ref)] = (read_at, function)

    def drop(self, ref: FunctionRef) -> None:
        with self._lock:
            self._entries.pop(key_of(ref), None)
            self._dropped[key_of(ref)] = time.monotonic()
            if len(self._dropped) > 10_000:  # old drop times matter for one read at most
                self._dropped.clear()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._dropped.clear()
