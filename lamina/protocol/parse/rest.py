"""rest-json and rest-xml: members bound to uri labels, headers and the query string, then the
payload or body, which the protocol's own module reads."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from botocore.model import OperationModel, Shape, StructureShape

from lamina.protocol.http import HttpRequest
from lamina.protocol.parse import values
from lamina.protocol.parse.uri import UriTemplate
from lamina.protocol.parse.values import BadInput
from lamina.protocol.plans import Plans

BodyParser = Callable[[Shape, bytes], Any]

# rfc822 dates hold a comma of their own, so a header list of them is found, not split.
_HTTP_DATE = re.compile(r"[A-Za-z]{3},\s*\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+[\d:]+\s+GMT")


class Plan:
    """What one operation reads where, worked out once: its template, its members bound to the
    uri, headers and query string, and whether anything is left for the body."""

    def __init__(self, operation: OperationModel) -> None:
        self.template = UriTemplate(operation.http.get("requestUri", "/"))
        shape = operation.input_shape
        members = shape.members if shape is not None else {}
        self.bound: list[tuple[str, Shape, str, str]] = []
        self.body_members = False
        claimed = set(self.template.query)
        for name, member in members.items():
            location = member.serialization.get("location")
            key = member.serialization.get("name", name)
            if location in ("uri", "querystring", "header", "headers"):
                self.bound.append((name, member, location, key))
                if location == "querystring" and member.type_name != "map":
                    claimed.add(key)
            else:
                self.body_members = True
        # A querystring map takes the parameters no other member and no template literal claims
        # (API Gateway's ImportRestApi 'parameters', AMP's ListScrapers 'filters').
        self.claimed = frozenset(claimed)


plan: Plans[OperationModel, Plan] = Plans(Plan)


def query_dict(request: HttpRequest) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in request.query_items():
        grouped.setdefault(key, []).append(value)
    return grouped


def parse(operation: OperationModel, request: HttpRequest, body_parser: BodyParser) -> dict:
    shape = operation.input_shape
    if shape is None:
        return {}
    steps = plan(operation)
    try:
        parsed = _bound_members(steps, request)
    except BadInput as error:
        raise BadInput(error.message, in_body=False) from None
    parsed.update(_payload(shape, steps, request.body, body_parser))
    return parsed


def _bound_members(steps: Plan, request: HttpRequest) -> dict[str, Any]:
    query = query_dict(request)
    labels = steps.template.match(request.path, query) or {}
    parsed: dict[str, Any] = {}
    for name, member, location, key in steps.bound:
        if location == "uri":
            if key in labels:
                parsed[name] = values.from_text(member, labels[key])
        elif location == "querystring":
            if member.type_name == "map":
                rest = {k: v for k, v in query.items() if k not in steps.claimed}
                if rest:
                    parsed[name] = _query_map(member, rest)
            elif key in query:
                parsed[name] = _query_value(member, query[key])
        elif location == "header":
            if key in request.headers:
                parsed[name] = _header(member, request.headers[key])
        else:
            found = _prefixed_headers(member, request)
            if found:
                parsed[name] = found
    return parsed


def _query_value(member: Shape, sent: list[str]) -> Any:
    if member.type_name == "list":
        return [values.from_text(member.member, item) for item in sent]
    return values.from_text(member, sent[0])


def _query_map(member: Shape, query: dict[str, list[str]]) -> dict[str, Any]:
    target = member.value
    return {key: _query_value(target, sent) for key, sent in query.items()}


def _header(member: Shape, text: str) -> Any:
    if member.type_name == "list":
        if not text.strip():
            return []  # an empty list is sent as an empty header
        item = member.member
        if item.type_name == "timestamp" and _HTTP_DATE.search(text):
            parts = _HTTP_DATE.findall(text)
        else:
            parts = split_header_list(text)
        return [values.from_text(item, part) for part in parts]
    if member.type_name == "string" and member.serialization.get("jsonvalue"):
        return values.json_header(text)
    return values.from_text(member, text)


def split_header_list(text: str) -> list[str]:
    """'a, "b,c", "d\\"e"' to ['a', 'b,c', 'd"e']: commas separate, double quotes protect."""
    if '"' not in text:
        return [item.strip() for item in text.split(",")]
    raw: list[str] = []
    start, quoted, escaped = 0, False, False
    for index, char in enumerate(text):
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            raw.append(text[start:index])
            start = index + 1
    raw.append(text[start:])
    return [_unquote(item.strip()) for item in raw]


def _unquote(item: str) -> str:
    if len(item) >= 2 and item[0] == item[-1] == '"':
        return re.sub(r"\\(.)", r"\1", item[1:-1])
    return item


def _prefixed_headers(member: Shape, request: HttpRequest) -> dict[str, Any]:
    prefix = member.serialization.get("name", "").lower()
    target = member.value
    return {
        name[len(prefix) :]: values.from_text(target, value)
        for name, value in request.headers.items()
        if name.lower().startswith(prefix)
    }


def _payload(
    shape: StructureShape, steps: Plan, body: bytes, body_parser: BodyParser
) -> dict[str, Any]:
    payload = shape.serialization.get("payload")
    if payload is None:
        # A body sent to an operation with no body members is ignored, as AWS ignores it.
        parsed = body_parser(shape, body) if steps.body_members and body.strip() else None
        return parsed if isinstance(parsed, dict) else {}
    member = shape.members[payload]
    if not body:
        return {}
    if member.type_name == "blob" or member.serialization.get("eventstream"):
        # Raw bytes: Lambda Invoke payloads, S3 object bodies; an input event stream is left
        # framed as it came, for the service to read event by event.
        return {payload: body}
    if member.type_name == "string":
        try:
            return {payload: body.decode()}
        except UnicodeDecodeError:
            raise BadInput("The request body is not valid UTF-8.") from None
    parsed = body_parser(member, body)
    return {} if parsed is None else {payload: parsed}
