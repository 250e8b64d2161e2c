"""What happens around a WebSocket API's integration besides the call itself (websocket_plane.py
makes that): the route's request validation by its models, the non-proxy integration's request
template, and its integration response
(https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-data-
transformations.html).

- Validation: the route's ModelSelectionExpression chooses among its RequestModels (`$default`
  the fallback); a message that is not JSON, fails the schema, or has no model is refused.
- Request: the integration's TemplateSelectionExpression chooses among its RequestTemplates
  (`$default` the fallback); with none, the PassthroughBehavior decides whether the message
  passes as it is. ContentHandlingStrategy converts the payload between a binary frame and
  base64 text first. Templates see $input (the message), $context (the event's requestContext:
  connectionId, routeKey, ...) and $stageVariables.
- Response: the integration response whose `/regex/` key matches the status code (a Lambda
  function's errorMessage when it failed), else `$default`'s; its TemplateSelectionExpression
  chooses among its ResponseTemplates, whose $input is the integration's answer; none chosen, the
  answer passes as it is. Its ContentHandlingStrategy converts it last."""

from __future__ import annotations

import base64
import binascii
import json
import time
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft4Validator

from lamina.services import velocity
from lamina.services.apigatewayv2 import websocket_events, websocket_selection
from lamina.services.apigatewayv2.websocket_selection import (
    BODY,
    HEADER,
    MULTI_HEADER,
    STATUS,
    template_for,
)


class Refused(Exception):
    """The message goes no further: what API Gateway tells the client, and the status logged."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


INTERNAL = "Internal server error"


@dataclass
class Message:
    """One event as a template and a selection expression see it."""

    connection: websocket_events.Connection
    route_key: str
    event_type: str  # CONNECT, MESSAGE or DISCONNECT
    data: str | bytes
    request_id: str
    stage_variables: dict[str, str]
    message_id: str | None = None

    def context(self) -> dict[str, Any]:
        context = websocket_events.request_context(
            self.connection, self.route_key, self.event_type, self.request_id,
            self.connection.connected_at if self.event_type == "CONNECT" else time.time(),
        )  # fmt: skip
        if self.message_id is not None:
            context["messageId"] = self.message_id
        return context

    def params(self) -> dict[str, dict[str, str]]:
        """$input.params(): the upgrade request's headers and query string (a message has no
        path parameters)."""
        headers = {websocket_events.header_name(k): v for k, v in self.connection.headers}
        query: dict[str, str] = {}
        for item in self.connection.query.split("&"):
            if item:
                key, _, value = item.partition("=")
                query[key] = value
        return {"path": {}, "querystring": query, "header": headers}


def _text(data: str | bytes) -> str:
    return data if isinstance(data, str) else data.decode("utf-8", "replace")


def validate(route: dict[str, Any], models: dict[str, dict[str, Any]], data: str | bytes) -> None:
    """Refused("Invalid request body") when the route's chosen model does not take the message."""
    expression = route.get("ModelSelectionExpression")
    if not expression:
        return
    key = websocket_selection.selected(
        expression, websocket_selection.REQUEST_VARIABLES, "ModelSelectionExpression",
        lambda name: websocket_selection.body_value(data, name),
    )  # fmt: skip
    wanted = route.get("RequestModels") or {}
    name = wanted.get(key) or wanted.get(websocket_selection.DEFAULT)
    schema = models.get(name) if name else None
    if schema is None:
        raise Refused("Invalid request body", 400)
    try:
        document = json.loads(data)
    except ValueError:
        raise Refused("Invalid request body", 400) from None
    if not Draft4Validator(schema).is_valid(document):
        raise Refused("Invalid request body", 400)


def _converted(payload: str | bytes, strategy: str | None, frame: bool = False) -> str | bytes:
    """CONVERT_TO_TEXT: a binary payload (a binary frame, or an answer that is not UTF-8) as
    base64 text; CONVERT_TO_BINARY: base64 text as the bytes it encodes (Refused when it is
    not base64)."""
    if strategy == "CONVERT_TO_TEXT" and isinstance(payload, bytes):
        if not frame:
            try:
                return payload.decode()
            except UnicodeDecodeError:
                pass
        return base64.b64encode(payload).decode()
    if strategy == "CONVERT_TO_BINARY":
        try:
            return base64.b64decode(_text(payload), validate=True)
        except (binascii.Error, ValueError):
            raise Refused(INTERNAL, 500) from None
    return payload


def request_payload(integration: dict[str, Any], message: Message) -> bytes:
    """The integration request's body: the chosen template rendered, else the message itself
    when the PassthroughBehavior lets it pass (Refused "Unsupported Media Type" when not)."""
    data = _converted(message.data, integration.get("ContentHandlingStrategy"), frame=True)
    raw = data.encode() if isinstance(data, str) else data
    templates = integration.get("RequestTemplates") or {}
    key = websocket_selection.selected(
        integration.get("TemplateSelectionExpression"), websocket_selection.REQUEST_VARIABLES,
        "TemplateSelectionExpression",
        lambda name: websocket_selection.body_value(message.data, name),
    )  # fmt: skip
    template = template_for(templates, key)
    if template is not None:
        try:
            rendered = velocity.merge(
                template, raw, message.params(), message.context(), message.stage_variables
            )
        except velocity.TemplateError:
            raise Refused(INTERNAL, 500) from None
        return rendered.encode()
    behaviour = integration.get("PassthroughBehavior") or "WHEN_NO_MATCH"
    if behaviour == "NEVER" or (behaviour == "WHEN_NO_TEMPLATES" and templates):
        raise Refused("Unsupported Media Type", 415)
    return raw


def mock_status(payload: bytes) -> int:
    """A MOCK integration's status: its rendered request template's statusCode (200 without)."""
    try:
        return int(json.loads(payload).get("statusCode", 200))
    except (ValueError, TypeError, AttributeError):
        return 200


@dataclass
class Answer:
    """What a non-proxy integration answered."""

    status: int
    body: bytes
    headers: list[tuple[str, str]] = field(default_factory=list)
    selector: str = ""  # what the integration responses' keys match: the status, or errorMessage

    def __post_init__(self) -> None:
        self.selector = self.selector or str(self.status)

    def value(self, name: str, message: Message) -> Any:
        """A variable of the integration response's TemplateSelectionExpression."""
        if name == STATUS:
            return str(self.status)
        if name.startswith(MULTI_HEADER):
            wanted = name.removeprefix(MULTI_HEADER).lower()
            return ",".join(v for k, v in self.headers if k.lower() == wanted) or None
        if name.startswith(HEADER):
            wanted = name.removeprefix(HEADER).lower()
            return next((v for k, v in reversed(self.headers) if k.lower() == wanted), None)
        if name == BODY or name.startswith(BODY + "."):
            return websocket_selection.body_value(message.data, name)
        return None


def respond(responses: list[dict[str, Any]], answer: Answer, message: Message) -> str | bytes:
    """What goes back to the client of a two-way route: the chosen integration response's
    template rendered over the answer, or the answer as it is; Refused when no integration
    response is chosen (AWS: "No match for output mapping and no default output mapping")."""
    chosen = websocket_selection.choose(responses, answer.selector)
    if chosen is None:
        raise Refused(INTERNAL, 500)
    templates = chosen.get("ResponseTemplates") or {}
    key = websocket_selection.selected(
        chosen.get("TemplateSelectionExpression"), websocket_selection.RESPONSE_VARIABLES,
        "TemplateSelectionExpression", lambda name: answer.value(name, message),
    )  # fmt: skip
    template = template_for(templates, key)
    payload: str | bytes = answer.body
    if template is not None:
        try:
            payload = velocity.merge(
                template, answer.body, message.params(), message.context(),
                message.stage_variables,
            )  # fmt: skip
        except velocity.TemplateError:
            raise Refused(INTERNAL, 500) from None
    payload = _converted(payload, chosen.get("ContentHandlingStrategy"))
    if isinstance(payload, bytes) and chosen.get("ContentHandlingStrategy") != "CONVERT_TO_BINARY":
        try:  # text goes back as a text frame; only what is not text as a binary one
            return payload.decode()
        except UnicodeDecodeError:
            return payload
    return payload
