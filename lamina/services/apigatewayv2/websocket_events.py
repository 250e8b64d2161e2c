"""The events a WebSocket API's Lambda proxy integration gives a function, as API Gateway
builds them (https://docs.aws.amazon.com/apigateway/latest/developerguide/
apigateway-websocket-api-integration-requests.html): `$connect` (CONNECT) with the upgrade
request's headers and query string, a message (MESSAGE) with its body, `$disconnect`
(DISCONNECT) with the close code. All carry requestContext with the connection's id, and
requestContext.authorizer when the `$connect` authorizer let it in (websocket_authorizer.py)."""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from lamina import json_document


@dataclass(frozen=True)
class Connection:
    """What every event of one connection says of it."""

    connection_id: str
    api_id: str
    stage: str
    domain_name: str
    source_ip: str
    user_agent: str
    connected_at: float  # seconds
    headers: list[tuple[str, str]]  # of the upgrade request, as received
    query: str  # of the upgrade request, raw
    # what the `$connect` authorizer let it in with: requestContext.authorizer of every event
    authorizer: dict[str, Any] | None = None
    # an AWS_IAM `$connect`'s signer: in requestContext.identity of every event
    signer: dict[str, str] | None = None


def _millis(seconds: float) -> int:
    return int(seconds * 1000)


def request_context(
    connection: Connection, route_key: str, event_type: str, request_id: str, now: float
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "routeKey": route_key,
        "eventType": event_type,
        "extendedRequestId": request_id,
        "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "messageDirection": "IN",
        "stage": connection.stage,
        "connectedAt": _millis(connection.connected_at),
        "requestTimeEpoch": _millis(now),
        "identity": {
            **(connection.signer or {}),
            "userAgent": connection.user_agent,
            "sourceIp": connection.source_ip,
        },
        "requestId": request_id,
        "domainName": connection.domain_name,
        "connectionId": connection.connection_id,
        "apiId": connection.api_id,
    }
    if connection.authorizer is not None:
        context["authorizer"] = connection.authorizer
    return context


# The server hands headers over lowercased; API Gateway gives them as clients spell them.
_SPELLED = {
    "sec-websocket-key": "Sec-WebSocket-Key",
    "sec-websocket-version": "Sec-WebSocket-Version",
    "sec-websocket-extensions": "Sec-WebSocket-Extensions",
    "sec-websocket-protocol": "Sec-WebSocket-Protocol",
    "x-amzn-trace-id": "X-Amzn-Trace-Id",
}


def header_name(name: str) -> str:
    lowered = name.lower()
    return _SPELLED.get(lowered) or "-".join(part.capitalize() for part in lowered.split("-"))


def _with_headers(connection: Connection, event: dict[str, Any]) -> dict[str, Any]:
    headers: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in connection.headers:
        name = header_name(name)
        headers[name] = value
        multi.setdefault(name, []).append(value)
    return {"headers": headers, "multiValueHeaders": multi, **event}


def connect(connection: Connection, request_id: str, now: float | None = None) -> bytes:
    now = time.time() if now is None else now
    event = _with_headers(connection, {})
    query: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for item in connection.query.split("&"):
        if item:
            key, _, value = item.partition("=")
            key, value = unquote_plus(key), unquote_plus(value)
            query[key] = value
            multi.setdefault(key, []).append(value)
    if query:  # absent, not empty, without a query string
        event["queryStringParameters"] = query
        event["multiValueQueryStringParameters"] = multi
    event["requestContext"] = request_context(connection, "$connect", "CONNECT", request_id, now)
    event["isBase64Encoded"] = False
    return json_document.dumps(event, compact=False)


def message(
    connection: Connection,
    route_key: str,
    data: str | bytes,
    request_id: str,
    message_id: str,
    now: float | None = None,
) -> bytes:
    now = time.time() if now is None else now
    context = request_context(connection, route_key, "MESSAGE", request_id, now)
    context = {"routeKey": route_key, "messageId": message_id, **context}
    if isinstance(data, bytes):  # a binary frame
        body, encoded = base64.b64encode(data).decode(), True
    else:
        body, encoded = data, False
    event = {"requestContext": context, "body": body, "isBase64Encoded": encoded}
    return json_document.dumps(event, compact=False)


def disconnect(
    connection: Connection, status_code: int, reason: str, request_id: str, now: float | None = None
) -> bytes:
    now = time.time() if now is None else now
    context = request_context(connection, "$disconnect", "DISCONNECT", request_id, now)
    context["disconnectStatusCode"] = status_code
    context["disconnectReason"] = reason
    event = _with_headers(connection, {"requestContext": context, "isBase64Encoded": False})
    return json_document.dumps(event, compact=False)
