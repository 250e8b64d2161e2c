"""Recently read values, for Invoke's hot path.

An invoke needs the function's configuration, the account's reserved concurrency and, for an
event, its retry settings; reading them from the store costs more than the rest of a warm
invoke. Entries live TTL_S. A change made through this node drops what it touched once
committed, so this node's next invoke reads anew; a change made by another node of a fleet
reaches invokes here within TTL_S (Lambda, too, applies configuration changes to invocations
after a short delay)."""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable
from typing import Generic, TypeVar

TTL_S = 1.0
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Recent(Generic[K, V]):
    def __init__(self, ttl_s: float = TTL_S) -> None:
        self.ttl_s = ttl_s
        self._entries: dict[K, tuple[float, V]] = {}
        self._dropped: dict[K, float] = {}  # when each entry was last dropped
        self._lock = threading.Lock()

    def get(self, key: K) -> tuple[bool, V | None]:
        """(found, value): a value read at most TTL_S ago."""
        found = self._entries.get(key)
        if found is None or time.monotonic() - found[0] > self.ttl_s:
            return False, None
        return True, found[1]

    def put(self, key: K, value: V, read_at: float) -> None:
        """`read_at`: monotonic time before the read, so a drop during it wins."""
        with self._lock:
            if self._dropped.get(key, 0.0) < read_at:
                self._entries[key] = (read_at, value)

    def drop(self, key: K) -> None:
        with self._lock:
            self._entries.pop(key, None)
            self._dropped[key] = time.monotonic()
            if len(self._dropped) > 10_000:  # old drop times matter for one read at most
                self._dropped.clear()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._dropped.clear()
