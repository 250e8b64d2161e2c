"""Payload format 2.0: an HTTP request as the event Lambda gives a function behind a function
URL or an HTTP API (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html)."""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from lamina import json_document
from lamina.protocol.http import HttpRequest

# Bodies of these types reach the function as text; any other body (or one without a type)
# as base64, with isBase64Encoded true, as Lambda decides for function URLs.
_TEXT_TYPES = ("text/", "application/json", "application/javascript", "application/xml")
_TEXT_SUFFIXES = ("+json", "+xml")


@dataclass
class Route:
    """Where the request came in: what requestContext says beside the request itself."""

    api_id: str  # a function URL's url-id
    domain_name: str
    source_ip: str
    request_id: str
    route_key: str = "$default"
    stage: str = "$default"
    account_id: str = "anonymous"  # the caller's account; 'anonymous' for AuthType NONE
    authorizer: dict[str, Any] | None = None
    path_parameters: dict[str, str] | None = None  # an HTTP API route's {param}s
    stage_variables: dict[str, str] | None = None  # an HTTP API stage's


def is_text(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind.startswith(_TEXT_TYPES) or kind.endswith(_TEXT_SUFFIXES)


def event(
    request: HttpRequest,
    path: str,
    route: Route,
    raw_headers: list[tuple[str, str]] | None = None,
    now: float | None = None,
) -> bytes:
    """The event, as JSON bytes. `path` is the path the function sees (the request's, less any
    prefix the edge routed by); `raw_headers` the headers as received, each repeat on its own
    (else the request's, repeats already joined). Repeated headers and query parameters are
    joined with commas; cookies leave the headers for their own list."""
    now = time.time() if now is None else now
    headers: dict[str, str] = {}
    cookies: list[str] = []
    pairs = raw_headers if raw_headers is not None else list(request.headers.items())
    for name, value in pairs:
        key = name.lower()
        if key == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
            continue
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    built: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": path,
        "rawQueryString": request.query,
    }
    if cookies:
        built["cookies"] = cookies
    built["headers"] = headers
    query = _query(request.query)
    if query:
        built["queryStringParameters"] = query
    if route.path_parameters:
        built["pathParameters"] = route.path_parameters
    if route.stage_variables:
        built["stageVariables"] = route.stage_variables
    context: dict[str, Any] = {
        "accountId": route.account_id,
        "apiId": route.api_id,
        "domainName": route.domain_name,
        "domainPrefix": route.domain_name.split(".", 1)[0],
        "http": {
            "method": request.method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": route.source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": route.request_id,
        "routeKey": route.route_key,
        "stage": route.stage,
        "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "timeEpoch": int(now * 1000),
    }
    if route.authorizer is not None:
        context["authorizer"] = route.authorizer
    built["requestContext"] = context
    body = request.body
    if body:
        if is_text(headers.get("content-type", "")):
            try:
                built["body"], built["isBase64Encoded"] = body.decode("utf-8"), False
            except UnicodeDecodeError:
                built["body"], built["isBase64Encoded"] = base64.b64encode(body).decode(), True
        else:
            built["body"], built["isBase64Encoded"] = base64.b64encode(body).decode(), True
    else:
        built["isBase64Encoded"] = False
    return json_document.dumps(built)


def _query(raw: str) -> dict[str, str]:
    joined: dict[str, str] = {}
    for item in raw.split("&"):
        if not item:
            continue
        key, _, value = item.partition("=")
        key, value = unquote_plus(key), unquote_plus(value)
        joined[key] = f"{joined[key]},{value}" if key in joined else value
    return joined
