"""An access log format: text with `$context.name` variables in it, rendered once a request
is answered. A variable that has no value for the request, or that Lamina does not know,
renders as `-`, as AWS writes an unavailable one. Values are put in as they are, not quoted
or escaped (`$context.error.messageString` is the quoted message, as on AWS)."""

from __future__ import annotations

import re
from collections.abc import Mapping

_VARIABLE = re.compile(r"\$context\.([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)")
_REQUEST = re.compile(r"\$context\.(requestId|extendedRequestId)(?![A-Za-z0-9_])")
MISSING = "-"

# The pieces of a format: literal text at even places, variable names at odd ones.
Format = tuple[str, ...]


def names_request(text: str) -> bool:
    return _REQUEST.search(text) is not None


def compile_format(text: str) -> Format:
    return tuple(_VARIABLE.split(text))


def render(pieces: Format, values: Mapping[str, object]) -> str:
    out: list[str] = []
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            out.append(piece)
            continue
        value = values.get(piece)
        out.append(MISSING if value is None or value == "" else _text(value))
    return "".join(out)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
