"""Velocity mapping templates of REST APIs: what a template sees of the method request
($context, $stageVariables, $input.params()); the rendering itself, shared with WebSocket APIs,
is lamina/services/velocity.py's."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from lamina.http_events.v1 import Route
from lamina.protocol.http import HttpRequest
from lamina.services.velocity import JavaBoolean, TemplateError, merge, select

__all__ = ["JavaBoolean", "Request", "TemplateError", "context_of", "params_of", "render", "select"]


@dataclass
class Request:
    """What a template sees of the method request, whatever the integration."""

    http: HttpRequest
    route: Route
    path: str  # the request's path less the stage, decoded
    params: dict[str, dict[str, str]]
    authorizer: dict[str, Any] | None = None
    now: float = field(default_factory=time.time)


def params_of(http: HttpRequest, route: Route) -> dict[str, dict[str, str]]:
    """$input.params(): path, querystring and header parameters (the last of repeats)."""
    headers: dict[str, str] = {}
    for name, value in http.headers.items():
        headers[_canonical(name)] = value
    return {
        "path": dict(route.path_parameters),
        "querystring": dict(http.query_items()),
        "header": headers,
    }


def _canonical(name: str) -> str:
    return "-".join(part[:1].upper() + part[1:].lower() for part in name.split("-"))


def context_of(request: Request) -> dict[str, Any]:
    route = request.route
    context: dict[str, Any] = {
        "accountId": route.account_id, "apiId": route.api_id, "stage": route.stage,
        "deploymentId": route.deployment_id, "resourceId": route.resource_id,
        "isCanaryRequest": JavaBoolean(route.is_canary),
        "resourcePath": route.resource_path, "httpMethod": request.http.method,
        "path": f"/{route.stage}{request.path}" if route.stage_in_path else request.path,
        "protocol": "HTTP/1.1", "domainName": route.domain_name,
        "domainPrefix": route.domain_name.split(".", 1)[0],
        "requestId": route.request_id, "extendedRequestId": route.extended_request_id,
        "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(request.now)),
        "requestTimeEpoch": int(request.now * 1000),
        "identity": {
            "sourceIp": route.source_ip, "userAgent": request.http.headers.get("user-agent"),
            "accountId": None, "caller": None, "user": None, "userArn": None,
            "accessKey": None, "apiKey": None, "apiKeyId": None,
        },
        "responseOverride": {"status": None, "header": {}},
    }  # fmt: skip
    if request.authorizer is not None:
        context["authorizer"] = request.authorizer
    return context


def render(text: str, request: Request, body: bytes, context: dict[str, Any] | None = None) -> str:
    """`text` rendered with `body` as $input's payload. `context`, when given, is the $context
    the template reads and may change (#set($context.responseOverride.status = 400))."""
    return merge(
        text,
        body,
        request.params,
        context if context is not None else context_of(request),
        dict(request.route.stage_variables),
    )
