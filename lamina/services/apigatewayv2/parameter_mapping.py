"""Request parameter mapping of HTTP_PROXY integrations (RequestParameters): headers and query
parameters appended, overwritten or removed, and the path overwritten, before the request is
passed on. Values are static text or hold `$request.header.x`, `$request.querystring.x`,
`$request.path`, `$request.path.x`, `$request.body`, `$request.body.x` (a member of a JSON
body; AWS reads only a body's first 100 KB for it, Lamina the whole body), `$context.x` or
`$stageVariables.x` (alone, or as `${…}` inside text)
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-parameter-mapping.html)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from lamina.services.apigatewayv2.errors import bad_request

_KEY = re.compile(r"^(?:(append|overwrite|remove):(header|querystring)\.([^\s]+)|overwrite:path)$")
_BRACED = re.compile(r"\$\{([^}]*)\}")
_BARE = re.compile(
    r"^\$(request|context|stageVariables)\.[A-Za-z0-9._-]+$|^\$request\.(path|body)$"
)
_EXPRESSION = re.compile(
    r"^(request\.(header|querystring|path|body)\.[A-Za-z0-9._-]+|request\.path|request\.body"
    r"|context\.[A-Za-z0-9._]+|stageVariables\.[A-Za-z0-9_]+)$"
)
# Headers the gateway sets itself, or that belong to one connection: not to be mapped.
RESERVED = {
    "host", "content-length", "connection", "keep-alive", "proxy-connection",
    "transfer-encoding", "te", "trailer", "upgrade", "x-forwarded-for",
}  # fmt: skip


@dataclass(frozen=True)
class Sources:
    """What values may read: the request as the client sent it, and the request's context."""

    headers: list[tuple[str, str]]
    query: list[tuple[str, str]]
    path: str  # without the stage
    path_parameters: dict[str, str]
    context: dict[str, Any]
    stage_variables: dict[str, str]
    body: bytes = b""


def check(mapping: dict[str, str]) -> None:
    """BadRequestException for a key or value API Gateway would not take."""
    for key, value in mapping.items():
        found = _KEY.match(key)
        if found is None:
            raise bad_request(
                f"Invalid mapping expression specified: {key}. Keys are "
                "append|overwrite|remove:header.{name}, …:querystring.{name} or overwrite:path."
            )
        if found.group(2) == "header" and found.group(3).lower() in RESERVED:
            raise bad_request(f"Invalid mapping expression specified: {key} is a reserved header.")
        if found.group(1) == "remove":
            continue
        check_value(value)


def check_value(value: str) -> None:
    for expression in _expressions(value):
        if not _EXPRESSION.match(expression):
            raise bad_request(f"Invalid mapping expression specified: {value}")


def _expressions(value: str) -> list[str]:
    return expressions(value, _BARE)


def expressions(value: str, bare: re.Pattern[str]) -> list[str]:
    """The expressions a mapping value reads: the whole value when `bare` matches it
    (`$request.path`), else each `${…}` inside text."""
    if bare.match(value):
        return [value[1:]]
    return _BRACED.findall(value)


def substitute(value: str, bare: re.Pattern[str], evaluate: Callable[[str], str]) -> str:
    """The value with its expressions evaluated."""
    if bare.match(value):
        return evaluate(value[1:])
    return _BRACED.sub(lambda found: evaluate(found.group(1)), value)


def _evaluate(expression: str, sources: Sources) -> str:
    head, _, name = expression.partition(".")
    if head == "stageVariables":
        return sources.stage_variables.get(name, "")
    if head == "context":
        found: Any = sources.context
        for part in name.split("."):
            found = found.get(part) if isinstance(found, dict) else None
        return "" if found is None else str(found)
    kind, _, name = name.partition(".")
    if kind == "body":
        return member(sources.body, name)
    if kind == "header":
        return ",".join(v for k, v in sources.headers if k.lower() == name.lower())
    if kind == "querystring":
        return ",".join(v for k, v in sources.query if k == name)
    return sources.path_parameters.get(name, "") if name else sources.path


def member(body: bytes, name: str) -> str:
    """The whole body, or a member of a JSON body (text as it is, anything else as JSON)."""
    if not name:
        return body.decode("utf-8", "replace")
    try:
        found: Any = json.loads(body)
    except ValueError:
        return ""
    for part in name.split("."):
        found = found.get(part) if isinstance(found, dict) else None
    if found is None:
        return ""
    return found if isinstance(found, str) else json.dumps(found)


def value_of(value: str, sources: Sources) -> str:
    return substitute(value, _BARE, lambda expression: _evaluate(expression, sources))


def apply(
    mapping: dict[str, str], url: str, headers: list[tuple[str, str]], sources: Sources
) -> tuple[str, list[tuple[str, str]]]:
    """The URL and headers to pass on, the mapping applied (in the order given)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    path = parts.path
    headers = list(headers)
    for key, value in mapping.items():
        if key == "overwrite:path":
            path = quote(value_of(value, sources), safe="/%")
            continue
        action, _, target = key.partition(":")
        kind, _, name = target.partition(".")
        new = value_of(value, sources) if action != "remove" else ""
        if kind == "header":
            if action in ("overwrite", "remove"):
                headers = [(k, v) for k, v in headers if k.lower() != name.lower()]
            if action != "remove" and new:
                headers.append((name, new))
        else:
            if action in ("overwrite", "remove"):
                query = [(k, v) for k, v in query if k != name]
            if action != "remove" and new:
                query.append((name, new))
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(query), "")), headers
