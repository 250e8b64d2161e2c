"""The mapping around a non-proxy integration (MOCK, AWS, HTTP): the request template chosen by
the request's Content-Type (or the passthrough behaviour), and the integration response chosen
by selectionPattern, with its responseParameters, template and status code.

Selection as AWS does it: the pattern must match the whole value (a Java regex `matches`): a
Lambda function error's errorMessage, else the HTTP status code (HTTP and AWS services), or
the MOCK request template's statusCode; no match takes the default response (no pattern).
Payloads are converted between text and binary by contentHandling and binaryMediaTypes
(content_handling.py) before a template sees them; a binary payload passes templates by."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lamina.protocol.http import HttpResponse
from lamina.services.apigateway import content_handling
from lamina.services.apigateway import gateway_responses as gateway
from lamina.services.apigateway.vtl import Request, TemplateError, context_of, render, select

DEFAULT_TYPE = "application/json"  # what a request without a Content-Type is taken as


class Unsupported(Exception):
    """A request the passthrough behaviour refuses: 415 as AWS answers."""


def media_type(value: str | None) -> str:
    return (value or "").split(";", 1)[0].strip().lower()


def request_body(
    integration: dict[str, Any], request: Request, binary_media_types: Sequence[str] = ()
) -> bytes:
    """The integration request's body: the template for the request's Content-Type rendered,
    else the body passed through when the passthrough behaviour allows it (Unsupported when
    not). ConversionFailed: contentHandling cannot convert it."""
    body, binary = content_handling.request_payload(
        request.http.body, request.http.headers, list(binary_media_types),
        integration.get("contentHandling"),
    )  # fmt: skip
    templates = integration.get("requestTemplates") or {}
    kind = media_type(request.http.headers.get("content-type")) or DEFAULT_TYPE
    template = next((t for k, t in templates.items() if k.lower() == kind), None)
    if template is not None and not binary:
        return render(template, request, body).encode()
    behaviour = integration.get("passthroughBehavior") or "WHEN_NO_MATCH"
    if behaviour == "NEVER" or (behaviour == "WHEN_NO_TEMPLATES" and templates):
        raise Unsupported()
    return body


@dataclass
class Outcome:
    """What the integration answered, as the integration response sees it."""

    selector: str | None  # matched against selectionPattern (None: the default response)
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = DEFAULT_TYPE


def choose(integration: dict[str, Any], selector: str | None) -> dict[str, Any] | None:
    responses = list((integration.get("integrationResponses") or {}).values())
    if selector is not None:
        for response in responses:
            pattern = response.get("selectionPattern")
            if pattern and re.fullmatch(pattern, selector, re.DOTALL):
                return response
    return next((r for r in responses if not r.get("selectionPattern")), None)


def respond(
    integration: dict[str, Any],
    request: Request,
    outcome: Outcome,
    binary_media_types: Sequence[str] = (),
) -> HttpResponse:
    """The method response: the chosen integration response's status, mapped headers and
    rendered template (or the integration's body passed through when it has none)."""
    chosen = choose(integration, outcome.selector)
    if chosen is None:  # AWS: "No match for output mapping and no default output mapping"
        return gateway.internal_error()
    try:
        body, binary = content_handling.response_payload(
            outcome.body, outcome.content_type, request.http.headers, list(binary_media_types),
            chosen.get("contentHandling"),
        )  # fmt: skip
    except content_handling.ConversionFailed:
        return gateway.internal_error()
    headers: list[tuple[str, str]] = []
    for target, source in (chosen.get("responseParameters") or {}).items():
        if not target.startswith("method.response.header."):
            continue
        value = _response_value(source, outcome, request)
        if value is not None:
            headers.append((target.removeprefix("method.response.header."), value))
    templates = chosen.get("responseTemplates") or {}
    status = int(chosen["statusCode"])
    content_type = outcome.content_type
    if templates and not binary:
        content_type, template = _response_template(templates, request)
        context = context_of(request)
        body = render(template, request, body, context).encode() if template else b""
        override = context.get("responseOverride") or {}
        if override.get("status"):
            status = int(override["status"])
        headers += [(k, str(v)) for k, v in (override.get("header") or {}).items()]
    if not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("Content-Type", content_type))
    return HttpResponse(status, headers, body)


def _response_template(templates: dict[str, str], request: Request) -> tuple[str, str]:
    """The template for the request's Accept, else application/json's, else the first."""
    accepted = [media_type(a) for a in request.http.headers.get("accept", "").split(",")]
    lowered = {k.lower(): k for k in templates}
    for kind in accepted:
        if kind in lowered:
            return lowered[kind], templates[lowered[kind]] or ""
    if DEFAULT_TYPE in lowered:
        return DEFAULT_TYPE, templates[lowered[DEFAULT_TYPE]] or ""
    first = next(iter(templates))
    return first, templates[first] or ""


def _response_value(source: str, outcome: Outcome, request: Request) -> str | None:
    """A responseParameters source: 'static', integration.response.header.NAME,
    integration.response.body[.JSONPath], context.X, stageVariables.X."""
    if len(source) >= 2 and source[0] == source[-1] == "'":
        return source[1:-1]
    if source.startswith("integration.response.header."):
        name = source.removeprefix("integration.response.header.").lower()
        return next((v for k, v in outcome.headers.items() if k.lower() == name), None)
    if source == "integration.response.body":
        return outcome.body.decode("utf-8", "replace")
    if source.startswith("integration.response.body."):
        try:
            document = json.loads(outcome.body)
        except ValueError:
            return None
        found = select(document, "$." + source.removeprefix("integration.response.body."))
        if found is None:
            return None
        return found if isinstance(found, str) else json.dumps(found)
    if source.startswith("stageVariables."):
        return request.route.stage_variables.get(source.removeprefix("stageVariables."))
    if source.startswith("context."):
        found = select(context_of(request), "$." + source.removeprefix("context."))
        return None if found is None else str(found)
    raise TemplateError(f"Unsupported response parameter source: {source}")


def mock_selector(body: bytes) -> str:
    """A MOCK integration's statusCode, from its rendered request template (200 without one)."""
    try:
        return str(int(json.loads(body).get("statusCode", 200)))
    except (ValueError, TypeError, AttributeError):
        return "200"
