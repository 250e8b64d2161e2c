"""Payload format 1.0: an HTTP request as the event a REST API's Lambda proxy integration
(AWS_PROXY) gives a function (https://docs.aws.amazon.com/apigateway/latest/developerguide/
set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format).

Repeated headers and query parameters: the last value in `headers`/`queryStringParameters`,
every value in the multiValue maps. Empty maps are null, as AWS sends them. AWS keeps header
names as the client wrote them; Lamina's HTTP server hands them over lowercased, so they are
given in the canonical form most clients write (`Content-Type`, `X-Forwarded-For`)."""

from __future__ import annotations

import base64
import fnmatch
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus

from lamina import json_document
from lamina.protocol.http import HttpRequest


@dataclass
class Route:
    """What requestContext says beside the request itself: where it came in, what it matched."""

    account_id: str  # the API's owner
    api_id: str
    stage: str
    deployment_id: str
    resource_id: str
    resource_path: str  # the matched resource's path, e.g. /items/{id}
    domain_name: str
    source_ip: str
    request_id: str
    extended_request_id: str
    path_parameters: dict[str, str] = field(default_factory=dict)
    stage_variables: dict[str, str] = field(default_factory=dict)
    stage_in_path: bool = True  # the execute-api forms: requestContext.path has /{stage}
    is_canary: bool = False  # a REST stage's canary took the request ($context.isCanaryRequest)


def canonical(name: str) -> str:
    """`content-type` as most clients write it: Content-Type."""
    return "-".join(part[:1].upper() + part[1:].lower() for part in name.split("-"))


def is_binary(content_type: str, binary_media_types: list[str]) -> bool:
    """Whether a body of `content_type` reaches the function base64-encoded: when the API's
    binaryMediaTypes name it (wildcards such as image/* and */* allowed)."""
    kind = content_type.split(";", 1)[0].strip().lower()
    return bool(kind) and any(fnmatch.fnmatchcase(kind, t.lower()) for t in binary_media_types)


def event(
    request: HttpRequest,
    path: str,
    route: Route,
    raw_headers: list[tuple[str, str]],
    binary_media_types: list[str],
    now: float | None = None,
) -> bytes:
    """The event, as JSON bytes. `path` is the request's path less the stage (decoded);
    `raw_headers` the headers as received, each repeat on its own."""
    now = time.time() if now is None else now
    headers: dict[str, str] = {}
    multi_headers: dict[str, list[str]] = {}
    for raw, value in raw_headers:
        name = canonical(raw)
        headers[name] = value
        multi_headers.setdefault(name, []).append(value)
    query, multi_query = _query(request.query)
    lowered = {k.lower(): v for k, v in headers.items()}
    identity = {
        "cognitoIdentityPoolId": None, "accountId": None, "cognitoIdentityId": None,
        "caller": None, "sourceIp": route.source_ip, "principalOrgId": None, "accessKey": None,
        "cognitoAuthenticationType": None, "cognitoAuthenticationProvider": None,
        "userArn": None, "userAgent": lowered.get("user-agent"), "user": None,
    }  # fmt: skip
    context = {
        "resourceId": route.resource_id,
        "resourcePath": route.resource_path,
        "httpMethod": request.method,
        "extendedRequestId": route.extended_request_id,
        "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "path": f"/{route.stage}{path}" if route.stage_in_path else path,
        "accountId": route.account_id,
        "protocol": "HTTP/1.1",
        "stage": route.stage,
        "domainPrefix": route.domain_name.split(".", 1)[0],
        "requestTimeEpoch": int(now * 1000),
        "requestId": route.request_id,
        "identity": identity,
        "domainName": route.domain_name,
        "deploymentId": route.deployment_id,
        "apiId": route.api_id,
    }
    body: str | None = None
    encoded = False
    if request.body:
        if is_binary(lowered.get("content-type", ""), binary_media_types):
            body, encoded = base64.b64encode(request.body).decode(), True
        else:
            body = request.body.decode("utf-8", errors="replace")
    built: dict[str, Any] = {
        "resource": route.resource_path,
        "path": path,
        "httpMethod": request.method,
        "headers": headers or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": route.path_parameters or None,
        "stageVariables": route.stage_variables or None,
        "requestContext": context,
        "body": body,
        "isBase64Encoded": encoded,
    }
    return json_document.dumps(built)


def _query(raw: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    last: dict[str, str] = {}
    every: dict[str, list[str]] = {}
    for item in raw.split("&"):
        if not item:
            continue
        key, _, value = item.partition("=")
        key, value = unquote_plus(key), unquote_plus(value)
        last[key] = value
        every.setdefault(key, []).append(value)
    return last, every
