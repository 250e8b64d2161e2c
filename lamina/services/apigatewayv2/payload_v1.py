"""Payload format 1.0 for an HTTP API's Lambda integration: the REST API proxy event's shape,
with "version": "1.0" (https://docs.aws.amazon.com/apigateway/latest/developerguide/
http-api-develop-integrations-lambda.html). Its answer must be a {statusCode, …} object: 1.0
infers nothing from a bare value."""

from __future__ import annotations

import base64
import json
import time
from typing import Any
from urllib.parse import unquote_plus

from lamina import json_document
from lamina.http_events import v2, v2_response
from lamina.http_events.v2_response import Failure
from lamina.protocol.http import HttpRequest, HttpResponse


def event(
    request: HttpRequest,
    path: str,
    route: v2.Route,
    raw_headers: list[tuple[str, str]],
    now: float | None = None,
) -> bytes:
    """`path` as the client sent it (with the stage segment of a named stage)."""
    now = time.time() if now is None else now
    headers: dict[str, str] = {}
    multi_headers: dict[str, list[str]] = {}
    for name, value in raw_headers:
        headers[name] = value  # the last of a repeated header, as REST APIs give it
        multi_headers.setdefault(name, []).append(value)
    query: dict[str, str] = {}
    multi_query: dict[str, list[str]] = {}
    for item in request.query.split("&"):
        if item:
            key, _, value = item.partition("=")
            key, value = unquote_plus(key), unquote_plus(value)
            query[key] = value
            multi_query.setdefault(key, []).append(value)
    resource = route.route_key.partition(" ")[2] or route.route_key
    user_agent = next((v for k, v in headers.items() if k.lower() == "user-agent"), "")
    identity: dict[str, str | None] = {
        name: None
        for name in (
            "accessKey",
            "accountId",
            "caller",
            "cognitoAuthenticationProvider",
            "cognitoAuthenticationType",
            "cognitoIdentityId",
            "cognitoIdentityPoolId",
            "principalOrgId",
            "user",
            "userArn",
        )
    }
    identity.update(sourceIp=route.source_ip, userAgent=user_agent)
    context: dict[str, Any] = {
        "accountId": route.account_id,
        "apiId": route.api_id,
        "domainName": route.domain_name,
        "domainPrefix": route.domain_name.split(".", 1)[0],
        "extendedRequestId": route.request_id,
        "httpMethod": request.method,
        "identity": identity,
        "path": path,
        "protocol": "HTTP/1.1",
        "requestId": route.request_id,
        "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "requestTimeEpoch": int(now * 1000),
        "resourceId": route.route_key,
        "resourcePath": resource,
        "stage": route.stage,
    }
    if route.authorizer is not None:
        context["authorizer"] = route.authorizer
    body: str | None = None
    encoded = False
    if request.body:
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        if v2.is_text(content_type):
            try:
                body = request.body.decode("utf-8")
            except UnicodeDecodeError:
                encoded = True
        else:
            encoded = True
        if encoded:
            body = base64.b64encode(request.body).decode()
    built = {
        "version": "1.0",
        "resource": resource,
        "path": path,
        "httpMethod": request.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": multi_query or None,
        "requestContext": context,
        "pathParameters": route.path_parameters or None,
        "stageVariables": route.stage_variables or None,
        "body": body,
        "isBase64Encoded": encoded,
    }
    return json_document.dumps(built)


def response(payload: bytes, function_error: str | None, failed: Failure) -> HttpResponse:
    if function_error:
        return failed()
    try:
        value = json.loads(payload) if payload.strip() else None
    except (ValueError, UnicodeDecodeError):
        return failed()
    if not isinstance(value, dict) or "statusCode" not in value:
        return failed()
    return v2_response.structured(value, failed)
