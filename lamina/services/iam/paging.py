"""Marker / MaxItems paging, as IAM's List operations do it: items in a stable order, a page
of at most MaxItems (default 100), IsTruncated and an opaque Marker naming where the next page
starts. Markers are keyset tokens (services/pagetokens.py), so items made or deleted meanwhile
neither shift nor repeat a page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from lamina.services import pagetokens
from lamina.services.iam.errors import invalid_marker

T = TypeVar("T")
DEFAULT_MAX_ITEMS = 100


def page(
    items: Sequence[T], key: Callable[[T], Any], params: dict[str, Any], member: str
) -> dict[str, Any]:
    """{member: the page, 'IsTruncated': …, 'Marker': … when truncated}; `items` sorted by key."""
    limit = params.get("MaxItems") or DEFAULT_MAX_ITEMS
    after = None
    if params.get("Marker"):
        try:
            after = pagetokens.decode(params["Marker"])
        except pagetokens.BadToken:
            raise invalid_marker() from None
    ordered = sorted(items, key=key)
    if after is not None:
        after_key = tuple(after) if isinstance(after, list) else after
        try:
            ordered = [i for i in ordered if _comparable(key(i)) > _comparable(after_key)]
        except TypeError:
            raise invalid_marker() from None
    shown = ordered[:limit]
    result: dict[str, Any] = {member: shown, "IsTruncated": len(ordered) > limit}
    if len(ordered) > limit:
        result["Marker"] = pagetokens.encode(key(shown[-1]))
    return result


def _comparable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list | tuple) else value
