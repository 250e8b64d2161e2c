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
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

TTL_S = 1.0
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Recent(Generic[K, V]):
    def __init__(self, ttl_s: float = TTL_S, group: Callable[[K], Hashable] | None = None) -> None:
        """`group`: the group of a key, for dropping them all at once (a function's qualifiers)."""
        self.ttl_s = ttl_s
        self._entries: dict[K, tuple[float, V]] = {}
        self._dropped: dict[K, float] = {}  # when each entry was last dropped
        self._group = group
        self._groups_dropped: dict[Hashable, float] = {}
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
            dropped = self._dropped.get(key, 0.0)
            if self._group is not None:
                dropped = max(dropped, self._groups_dropped.get(self._group(key), 0.0))
            if dropped < read_at:
                self._entries[key] = (read_at, value)

    def drop(self, key: K) -> None:
        with self._lock:
            self._entries.pop(key, None)
            self._dropped[key] = time.monotonic()
            if len(self._dropped) > 10_000:  # old drop times matter for one read at most
                self._dropped.clear()

    def drop_group(self, group: Hashable) -> None:
        assert self._group is not None
        with self._lock:
            for key in [key for key in self._entries if self._group(key) == group]:
                del self._entries[key]
            self._groups_dropped[group] = time.monotonic()
            if len(self._groups_dropped) > 10_000:
                self._groups_dropped.clear()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._dropped.clear()
            self._groups_dropped.clear()
