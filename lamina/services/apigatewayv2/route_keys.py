"""Route keys (`GET /items/{id}`, `ANY /{proxy+}`, `$default`) and how a request picks one, as
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html says:
the most specific match wins — a full match of path and method, then one through a greedy
path variable — and `$default` catches what none matches. Among matches, a literal segment is
more specific than a `{param}`, which is more specific than `{proxy+}`; a method more than ANY.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

from lamina.services.apigatewayv2.errors import bad_request

DEFAULT = "$default"
METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"}
_PARAM = re.compile(r"^\{([A-Za-z0-9._-]+)(\+?)\}$")
_LITERAL = re.compile(r"^[A-Za-z0-9._~:@!$&'()*,;=%-]+$")


@dataclass(frozen=True)
class RouteKey:
    method: str  # '' for $default
    segments: tuple[str, ...]

    @property
    def path(self) -> str:
        return "/" + "/".join(self.segments)


@lru_cache(maxsize=4096)  # the data plane parses a deployment's keys on every request
def parse(key: str) -> RouteKey:
    """The key, or BadRequestException when it is not one an HTTP API takes."""
    if key == DEFAULT:
        return RouteKey("", ())
    method, _, path = key.partition(" ")
    if method not in METHODS or not path.startswith("/") or " " in path:
        raise bad_request(
            f"Invalid route key: {key}. A route key is $default, or an HTTP method "
            "(GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or ANY), a space and a path "
            "beginning with /."
        )
    segments = tuple(path[1:].split("/")) if path != "/" else ()
    for index, segment in enumerate(segments):
        param = _PARAM.match(segment)
        if param and param.group(2) and index != len(segments) - 1:
            raise bad_request(f"Invalid route key: {key}. A greedy path variable must be last.")
        if not param and not _LITERAL.match(segment):
            raise bad_request(f"Invalid route key: {key}. Path segment '{segment}' is invalid.")
    return RouteKey(method, segments)


def _rank(key: RouteKey) -> tuple[int, ...]:
    """Smaller is more specific: per segment 0 literal, 1 {param}, 2 {proxy+}; then ANY last."""
    ranks = []
    for segment in key.segments:
        param = _PARAM.match(segment)
        ranks.append(0 if not param else 2 if param.group(2) else 1)
    return (*ranks, 1 if key.method == "ANY" else 0)


def _match(key: RouteKey, method: str, parts: list[str]) -> dict[str, str] | None:
    if key.method not in ("ANY", method):
        return None
    params: dict[str, str] = {}
    for index, segment in enumerate(key.segments):
        param = _PARAM.match(segment)
        if param and param.group(2):  # greedy: one or more of what is left
            rest = parts[index:]
            if not rest or not rest[0]:
                return None
            params[param.group(1)] = unquote("/".join(rest))
            return params
        if index >= len(parts):
            return None
        if param:
            if not parts[index]:
                return None
            params[param.group(1)] = unquote(parts[index])
        elif unquote(parts[index]) != unquote(segment):
            return None
    return params if len(parts) == len(key.segments) else None


def select(keys: list[str], method: str, path: str) -> tuple[str, dict[str, str]] | None:
    """(the route key, its path parameters) that `method path` goes to, or None."""
    parts = path[1:].split("/") if path not in ("", "/") else []
    found: list[tuple[tuple[int, ...], str, dict[str, str]]] = []
    for text in keys:
        if text == DEFAULT:
            continue
        key = parse(text)
        params = _match(key, method, parts)
        if params is not None:
            found.append((_rank(key), text, params))
    if found:
        _, text, params = min(found, key=lambda entry: entry[0])
        return text, params
    return (DEFAULT, {}) if DEFAULT in keys else None
