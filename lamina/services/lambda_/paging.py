"""Lambda's List pages: MaxItems items from where the Marker says, and a NextMarker naming
the last one when more follow (a key of ours, opaque to the caller)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from lamina.protocol.errors import ServiceError
from lamina.services import pagetokens
from lamina.services.lambda_.errors import invalid_parameter

T = TypeVar("T")


class Paging:
    """A List request's page: `limit` (MaxItems, or the operation's default) and `after`, the
    key of the last item of the previous page (None on the first page). MaxItems out of the
    model's range never gets here: validation refuses it."""

    __slots__ = ("after", "limit")

    def __init__(self, params: Mapping[str, Any], default: int) -> None:
        self.limit: int = params.get("MaxItems") or default
        marker = params.get("Marker")
        self.after: str | None = _decode_marker(marker) if marker else None

    def page(
        self, items: Sequence[T], key: Callable[[T], str]
    ) -> tuple[Sequence[T], dict[str, str]]:
        """The first `limit` of `items` (those after the marker, fetched `limit + 1` or all),
        and the answer's NextMarker member when more follow (else no member)."""
        shown = items[: self.limit]
        if len(items) > self.limit:
            return shown, {"NextMarker": _encode_marker(key(shown[-1]))}
        return shown, {}


def _encode_marker(key: str) -> str:
    """A list's Marker: where its next page starts (a function name, a qualifier)."""
    return pagetokens.encode(key)


def _decode_marker(marker: str) -> str:
    try:
        key = pagetokens.decode(marker)
    except pagetokens.BadToken:
        key = None
    if not isinstance(key, str):
        raise invalid_marker(marker)
    return key


def invalid_marker(marker: str) -> ServiceError:
    return invalid_parameter(f"Invalid marker: {marker}")
