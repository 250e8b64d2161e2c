"""Response parameter mapping of HTTP APIs (an integration's ResponseParameters): for the
answer's status code (a key from 200 to 599), headers appended, overwritten or removed and the
status code overwritten before the client is answered. Values are static text or hold
`$response.header.x`, `$response.body.x` (a member of a JSON body), `$context.x` or
`$stageVariables.x` (alone, or as `${…}` inside text)
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-parameter-mapping.html)."""

from __future__ import annotations

import re
from typing import Any

from lamina.protocol.http import HttpResponse
from lamina.services.apigatewayv2 import parameter_mapping
from lamina.services.apigatewayv2.errors import bad_request

_KEY = re.compile(r"^(?:(append|overwrite|remove):header\.([^\s]+)|overwrite:statuscode)$")
_EXPRESSION = re.compile(
    r"^(response\.header\.[A-Za-z0-9._-]+|response\.body(\.[A-Za-z0-9._-]+)?"
    r"|context\.[A-Za-z0-9._]+|stageVariables\.[A-Za-z0-9_]+)$"
)
_BARE = re.compile(r"^\$(response|context|stageVariables)\.[A-Za-z0-9._-]+$|^\$response\.body$")


def _expressions(value: str) -> list[str]:
    return parameter_mapping.expressions(value, _BARE)


def check(mappings: dict[str, dict[str, str]]) -> None:
    """BadRequestException for a selection key, destination or source AWS would not take."""
    for status, mapping in mappings.items():
        if not (status.isdigit() and 200 <= int(status) <= 599):
            raise bad_request(
                f"Invalid response parameter selection key {status}: a status code from 200 to 599."
            )
        for key, value in (mapping or {}).items():
            found = _KEY.match(key)
            if found is None:
                raise bad_request(
                    f"Invalid mapping expression specified: {key}. Keys are "
                    "append|overwrite|remove:header.{name} or overwrite:statuscode."
                )
            if found.group(2) and found.group(2).lower() in parameter_mapping.RESERVED:
                raise bad_request(f"Invalid mapping expression specified: {key} is reserved.")
            if found.group(1) == "remove":
                continue
            if value.startswith("$") and not value.startswith("${") and not _BARE.match(value):
                raise bad_request(f"Invalid mapping expression specified: {value}")
            for expression in _expressions(value):
                if not _EXPRESSION.match(expression):
                    raise bad_request(f"Invalid mapping expression specified: {value}")
            static = not _expressions(value)
            if key == "overwrite:statuscode" and static and not _status(value):
                raise bad_request(f"Invalid status code {value}: 100 to 599.")


def _status(value: str) -> bool:
    return value.isdigit() and 100 <= int(value) <= 599


def _evaluate(expression: str, answer: HttpResponse, context: dict[str, Any],
              stage_variables: dict[str, str]) -> str:  # fmt: skip
    head, _, name = expression.partition(".")
    if head == "stageVariables":
        return stage_variables.get(name, "")
    if head == "context":
        found: Any = context
        for part in name.split("."):
            found = found.get(part) if isinstance(found, dict) else None
        return "" if found is None else str(found)
    kind, _, name = name.partition(".")
    if kind == "header":
        return ",".join(v for k, v in answer.headers if k.lower() == name.lower())
    return parameter_mapping.member(answer.body, name)


def apply(mappings: dict[str, dict[str, str]], answer: HttpResponse, context: dict[str, Any],
          stage_variables: dict[str, str]) -> HttpResponse:  # fmt: skip
    """The answer, its status code's mapping (if any) applied in the order given."""
    mapping = mappings.get(str(answer.status))
    if not mapping:
        return answer

    def value_of(value: str) -> str:
        return parameter_mapping.substitute(
            value, _BARE, lambda found: _evaluate(found, answer, context, stage_variables)
        )

    headers = list(answer.headers)
    status = answer.status
    for key, value in mapping.items():
        if key == "overwrite:statuscode":
            new = value_of(value)
            if _status(new):
                status = int(new)
            continue
        action, _, target = key.partition(":")
        name = target.partition(".")[2]
        new = value_of(value) if action != "remove" else ""
        if action in ("overwrite", "remove"):
            headers = [(k, v) for k, v in headers if k.lower() != name.lower()]
        if action != "remove" and new:
            headers.append((name, new))
    return HttpResponse(status, headers, answer.body, answer.stream)
