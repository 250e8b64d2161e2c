"""Plans worked out once per botocore model object (a shape, an operation) and kept for as long
as that object lives: what a parser or serializer would otherwise work out again per request."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Plans(Generic[K, V]):
    __slots__ = ("_kept", "_make")

    def __init__(self, make: Callable[[K], V]) -> None:
        self._make = make
        self._kept: weakref.WeakKeyDictionary[K, V] = weakref.WeakKeyDictionary()

    def __call__(self, key: K) -> V:
        found = self._kept.get(key)
        if found is None:
            found = self._kept[key] = self._make(key)
        return found
