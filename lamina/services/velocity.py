"""Velocity mapping templates as API Gateway renders them (airspeed), for REST APIs
(apigateway/vtl.py) and WebSocket APIs (apigatewayv2/websocket_mapping.py) alike: $input (body,
json(path), path(path), params()), $util, and whatever $context and $stageVariables the caller
gives (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-
template-reference.html).

JSONPath is jsonpath-ng's (a superset of what AWS documents: `$`, `.name`, `['name']`, `[n]`,
`[*]`, `..`, filters). A path that names one value (no wildcard, slice or filter) answers that
value; any other answers the list of matches, as AWS does."""

from __future__ import annotations

import base64
import json
from functools import lru_cache
from typing import Any
from urllib.parse import quote_plus, unquote_plus

import airspeed
from jsonpath_ng import parse as parse_path


class TemplateError(ValueError):
    """A template that does not parse or render, or a body $input cannot read as JSON."""


@lru_cache(maxsize=512)
def _template(text: str) -> airspeed.Template:
    return airspeed.Template(text)


@lru_cache(maxsize=512)
def _path(expression: str) -> tuple[Any, bool]:
    """The parsed path and whether it names a single value."""
    single = not any(mark in expression for mark in ("*", "..", "?", ":"))
    return parse_path(expression), single


def select(document: Any, expression: str) -> Any:
    """`expression` (JSONPath) evaluated against `document`: None when nothing matches."""
    try:
        compiled, single = _path(expression or "$")
    except Exception as error:  # jsonpath-ng raises its own lexer/parser errors
        raise TemplateError(f"Invalid JSONPath expression: {expression}") from error
    found = [match.value for match in compiled.find(document)]
    if single:
        return found[0] if found else None
    return found


class JavaBoolean:
    """A JSON boolean as a template prints it: true/false, as Java's Boolean does (not True)."""

    def __init__(self, value: bool) -> None:
        self.value = value

    def __bool__(self) -> bool:
        return self.value

    def __eq__(self, other: object) -> bool:
        return self.value == (other.value if isinstance(other, JavaBoolean) else other)

    def __hash__(self) -> int:
        return hash(self.value)

    def __str__(self) -> str:
        return "true" if self.value else "false"


def _java(value: Any) -> Any:
    if isinstance(value, bool):
        return JavaBoolean(value)
    if isinstance(value, dict):
        return {k: _java(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_java(v) for v in value]
    return value


class Input:
    """$input: the payload (the method request's, or in a response template the integration
    response's) and the method request's parameters."""

    def __init__(self, body: bytes, params: dict[str, dict[str, str]]) -> None:
        self.body = body.decode("utf-8", "replace")
        self._params = params
        self._parsed: Any = ...

    def _document(self) -> Any:
        if self._parsed is ...:
            try:
                self._parsed = json.loads(self.body) if self.body.strip() else {}
            except ValueError as error:
                raise TemplateError(f"Unable to parse the body as JSON: {error}") from error
        return self._parsed

    def json(self, expression: str = "$") -> str:
        return json.dumps(select(self._document(), expression), separators=(",", ":"))

    def path(self, expression: str = "$") -> Any:
        return _java(select(self._document(), expression))

    def params(self, name: str | None = None) -> Any:
        if name is None:
            return self._params
        for kind in ("path", "querystring", "header"):  # AWS's order of precedence
            if name in self._params[kind]:
                return self._params[kind][name]
        lowered = name.lower()  # header names are case-insensitive
        for key, value in self._params["header"].items():
            if key.lower() == lowered:
                return value
        return ""


_JS_ESCAPES = {'"': '\\"', "'": "\\'", "\\": "\\\\", "/": "\\/", "\b": "\\b", "\f": "\\f",
               "\n": "\\n", "\r": "\\r", "\t": "\\t"}  # fmt: skip


class Util:
    """$util, as AWS documents its functions."""

    def escapeJavaScript(self, text: Any) -> str:
        out = []
        for char in str(text):
            if char in _JS_ESCAPES:
                out.append(_JS_ESCAPES[char])
            elif ord(char) < 0x20 or ord(char) > 0x7E:
                out.append(f"\\u{ord(char):04X}")
            else:
                out.append(char)
        return "".join(out)

    def parseJson(self, text: str) -> Any:
        try:
            return _java(json.loads(text))
        except ValueError as error:
            raise TemplateError(f"Unable to parse JSON: {error}") from error

    def urlEncode(self, text: Any) -> str:
        return quote_plus(str(text), safe="*")  # as Java's URLEncoder

    def urlDecode(self, text: Any) -> str:
        return unquote_plus(str(text))

    def base64Encode(self, text: Any) -> str:
        data = text if isinstance(text, bytes) else str(text).encode()
        return base64.b64encode(data).decode()

    def base64Decode(self, text: Any) -> str:
        return base64.b64decode(str(text)).decode("utf-8", "replace")


_UTIL = Util()


def merge(
    text: str,
    body: bytes,
    params: dict[str, dict[str, str]],
    context: dict[str, Any],
    stage_variables: dict[str, str],
) -> str:
    """`text` rendered with `body` as $input's payload; `context` is the $context it reads and
    may change (#set($context.responseOverride.status = 400))."""
    namespace = {
        "input": Input(body, params),
        "util": _UTIL,
        "context": context,
        "stageVariables": dict(stage_variables),
    }
    try:
        rendered: str = _template(text).merge(namespace)
    except TemplateError:
        raise
    except Exception as error:  # airspeed's syntax and evaluation errors
        raise TemplateError(f"Unable to render the mapping template: {error}") from error
    return rendered
