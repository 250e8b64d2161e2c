"""WebSocket APIs' selection expressions besides the route's (websocket_settings.py): an
integration's TemplateSelectionExpression (its RequestTemplates' key), an integration
response's (its ResponseTemplates' key) and a route's ModelSelectionExpression (its
RequestModels' key), as https://docs.aws.amazon.com/apigateway/latest/developerguide/
apigateway-websocket-api-selection-expressions.html describes them: `$name` or `${name}`
variables among static text, `\\$` a literal dollar (`\\$default` the `$default` key), evaluated
once. An integration response's key is `$default` or a `/regex/` matched against the whole
status code (or a Lambda function's errorMessage)."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import Any

from lamina.services.apigatewayv2.errors import bad_request

DEFAULT = "$default"
BODY = "request.body"
STATUS = "integration.response.statuscode"
HEADER = "integration.response.header."
MULTI_HEADER = "integration.response.multivalueheader."
REQUEST_VARIABLES = (BODY,)  # what an integration's or a route's expression may read
RESPONSE_VARIABLES = (BODY, STATUS, HEADER, MULTI_HEADER)  # an integration response's
_TOKEN = re.compile(r"\\\$|\$\{([^}]*)\}|\$([A-Za-z0-9_.]+)|\$")
Part = tuple[bool, str]  # (a variable?, its name or the text)


@functools.lru_cache(maxsize=1024)  # every message reads its route's expressions
def parse(expression: str, allowed: tuple[str, ...], field: str) -> tuple[Part, ...]:
    """The expression's text and variables, or BadRequestException naming what it cannot read.
    An unescaped `$default` is taken as the key it names."""
    parts: list[Part] = []
    at = 0
    for found in _TOKEN.finditer(expression):
        if found.start() > at:
            parts.append((False, expression[at : found.start()]))
        at = found.end()
        token = found.group(0)
        name = found.group(1) if found.group(1) is not None else found.group(2)
        if token == "\\$":
            parts.append((False, "$"))
        elif name == "default":
            parts.append((False, DEFAULT))
        elif name is None:
            raise bad_request(f"Invalid {field}: {expression}. A lone $ must be escaped (\\$).")
        elif not _readable(name, allowed):
            raise bad_request(
                f"Invalid {field}: {expression}. Lamina reads "
                + ", ".join("${" + (a + "{name}" if a.endswith(".") else a) + "}" for a in allowed)
                + " and static values in it."
            )
        else:
            parts.append((True, name))
    if at < len(expression):
        parts.append((False, expression[at:]))
    return tuple(parts)


def _readable(name: str, allowed: tuple[str, ...]) -> bool:
    for prefix in allowed:
        if prefix.endswith("."):  # a header's: a name follows
            if name.startswith(prefix) and len(name) > len(prefix):
                return True
        elif name == prefix or name.startswith(prefix + "."):
            return True
    return False


def selected(
    expression: str | None, allowed: tuple[str, ...], field: str, lookup: Callable[[str], Any]
) -> str:
    """The key an expression of `field` selects, its variables read by `lookup` ('' without
    an expression)."""
    if not expression:
        return ""
    return evaluate(parse(expression, allowed, field), lookup)


def evaluate(parts: tuple[Part, ...], lookup: Callable[[str], Any]) -> str:
    out = []
    for variable, value in parts:
        if not variable:
            out.append(value)
            continue
        found = lookup(value)
        if found is None:
            continue
        out.append(found if isinstance(found, str) else json.dumps(found, separators=(",", ":")))
    return "".join(out)


def body_value(data: str | bytes, name: str) -> Any:
    """`request.body[.a.b]` of a message: the JSON value at that path (None when absent)."""
    try:
        value: Any = json.loads(data)
    except ValueError:
        return data if name == BODY and isinstance(data, str) else None
    for key in name.removeprefix(BODY).strip(".").split("."):
        if not key:
            continue
        if isinstance(value, dict):
            value = value.get(key)
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return None
    return value


def check_templates(config: dict[str, Any], field: str, allowed: tuple[str, ...]) -> None:
    """An integration's RequestTemplates (or a response's ResponseTemplates, `field`): text by
    key; and its TemplateSelectionExpression, reading only what `allowed` names. Empty ones
    are dropped: {} clears them."""
    if not config.get(field):
        config.pop(field, None)
    for key, template in (config.get(field) or {}).items():
        if not key or not isinstance(template, str):
            raise bad_request(f"Invalid {field}: the template for {key!r} is not a string.")
    if config.get("TemplateSelectionExpression"):
        parse(config["TemplateSelectionExpression"], allowed, "TemplateSelectionExpression")
    else:
        config.pop("TemplateSelectionExpression", None)


def check_key(key: str) -> None:
    """An integration response key: `$default`, or a `/regex/`."""
    if key == DEFAULT:
        return
    if len(key) < 3 or not (key.startswith("/") and key.endswith("/")):
        raise bad_request(
            f"Invalid IntegrationResponseKey: {key}. It is $default or a regular expression "
            "between slashes, e.g. /4\\d\\d/."
        )
    try:
        re.compile(key[1:-1])
    except re.error as error:
        raise bad_request(f"Invalid IntegrationResponseKey: {key}. {error}.") from None


def choose(responses: list[dict[str, Any]], selector: str) -> dict[str, Any] | None:
    """The integration response whose `/regex/` key matches the whole selector, else
    `$default`'s, else none."""
    for response in responses:
        key = response["IntegrationResponseKey"]
        if key != DEFAULT and re.fullmatch(key[1:-1], selector, re.DOTALL):
            return response
    return next((r for r in responses if r["IntegrationResponseKey"] == DEFAULT), None)


def template_for(templates: dict[str, str], key: str) -> str | None:
    """The template the selection chose, else the `$default` one, else none."""
    if key in templates:
        return templates[key]
    return templates.get(DEFAULT)
