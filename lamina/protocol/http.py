"""The protocol layer's view of HTTP: a request as it came off the wire, a response to send."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TypeVar, overload
from urllib.parse import parse_qsl, unquote

T = TypeVar("T")


class Headers(Mapping[str, str]):
    """Case-insensitive header map; repeated headers are joined with ', ' as RFC 9110 allows."""

    def __init__(self, items: Iterable[tuple[str, str]] | Mapping[str, str] = ()) -> None:
        self._items: dict[str, tuple[str, str]] = {}
        pairs = items.items() if isinstance(items, Mapping) else items
        for name, value in pairs:
            key = name.lower()
            if key in self._items:
                value = f"{self._items[key][1]}, {value}"
            self._items[key] = (name, value)

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    @overload
    def get(self, name: str, /) -> str | None: ...
    @overload
    def get(self, name: str, /, default: str | T) -> str | T: ...

    def get(self, name: str, /, default: object = None) -> object:
        # Mapping's own get raises and catches KeyError for each absent header.
        found = self._items.get(name.lower())
        return default if found is None else found[1]

    def __iter__(self) -> Iterator[str]:
        return (original for original, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def __repr__(self) -> str:
        return f"Headers({dict(self.items())!r})"


@dataclass
class HttpRequest:
    method: str
    path: str  # as on the wire: percent-encoded, without the query string
    query: str = ""  # the raw query string, without '?'
    headers: Headers = field(default_factory=Headers)
    body: bytes = b""

    @property
    def decoded_path(self) -> str:
        return unquote(self.path)

    def query_items(self) -> list[tuple[str, str]]:
        """Query parameters in order, decoded; a key without '=' has the value ''."""
        return parse_qsl(self.query, keep_blank_values=True)


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    # A body sent as it is made (chunked: no Content-Length): an event stream, a function
    # URL's streamed response. Sent after `body`, which is then its first bytes.
    stream: AsyncIterator[bytes] | None = None

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None
