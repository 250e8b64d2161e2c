"""What a WebSocket API (ProtocolType WEBSOCKET) takes that an HTTP API does not: its
RouteSelectionExpression (`$request.body.{json path}`, the message's key that picks a route),
route keys (`$connect`, `$disconnect`, `$default`, or any other: the value that expression
yields) and Lambda proxy integrations without a payload format."""

from __future__ import annotations

import re
from typing import Any

from lamina.services.apigatewayv2.errors import bad_request

WEBSOCKET = "WEBSOCKET"
CONNECT, DISCONNECT, DEFAULT = "$connect", "$disconnect", "$default"
# `$request.body.action`, `${request.body.action}`, nested: `$request.body.message.type`
_SELECTION = re.compile(
    r"^(?:\$request\.body\.([A-Za-z0-9_.-]+)|\$\{request\.body\.([A-Za-z0-9_.-]+)\})$"
)


def is_websocket(config: dict[str, Any]) -> bool:
    return bool(config.get("ProtocolType") == WEBSOCKET)


def selection_path(expression: str) -> list[str]:
    """The JSON path in the message body that a RouteSelectionExpression names."""
    found = _SELECTION.match(expression)
    if found is None:
        raise bad_request(
            f"Invalid RouteSelectionExpression: {expression}. Lamina takes "
            "$request.body.{key} (a JSON path into the message, e.g. $request.body.action)."
        )
    return (found.group(1) or found.group(2)).split(".")


def check_route_key(key: str) -> None:
    if not key or len(key) > 128 or key.strip() != key:
        raise bad_request(f"Invalid route key: {key!r}.")
    if key.startswith("$") and key not in (CONNECT, DISCONNECT, DEFAULT):
        raise bad_request(
            f"Invalid route key: {key}. Keys beginning with $ are $connect, $disconnect, $default."
        )


def integration_config(wanted: dict[str, Any]) -> dict[str, Any]:
    """A WebSocket API's integration: AWS_PROXY to a Lambda function (the only kind served)."""
    from lamina.services.apigatewayv2.integration_operations import function_arn

    kind = wanted.get("IntegrationType")
    for name in ("IntegrationSubtype", "CredentialsArn"):
        if wanted.get(name):
            raise bad_request(f"Lamina does not support {name} on WebSocket APIs yet.")
    wanted = {k: v for k, v in wanted.items() if k not in ("IntegrationSubtype", "CredentialsArn")}
    if kind != "AWS_PROXY":
        raise bad_request(
            f"Lamina does not support IntegrationType {kind} for WebSocket APIs yet; "
            "AWS_PROXY (a Lambda function) it serves."
        )
    uri = wanted.get("IntegrationUri")
    if not uri or function_arn(uri) is None:
        raise bad_request(f"Invalid IntegrationUri: {uri}. AWS_PROXY takes a Lambda function ARN.")
    if wanted.get("ConnectionType", "INTERNET") != "INTERNET":
        raise bad_request("Lamina does not support ConnectionType VPC_LINK (VPC links) yet.")
    if wanted.get("RequestParameters"):
        raise bad_request("Lamina does not support RequestParameters on WebSocket APIs yet.")
    if wanted.get("ResponseParameters"):
        raise bad_request("ResponseParameters are supported only for HTTP APIs.")
    wanted = {k: v for k, v in wanted.items() if k != "RequestParameters"}
    if wanted.get("PayloadFormatVersion", "1.0") != "1.0":
        raise bad_request("WebSocket APIs take PayloadFormatVersion 1.0.")
    config: dict[str, Any] = {
        "ConnectionType": "INTERNET",
        "IntegrationMethod": "POST",
        "PassthroughBehavior": "WHEN_NO_MATCH",
        "PayloadFormatVersion": "1.0",
        "TimeoutInMillis": 29000,
        **wanted,
    }
    if not 50 <= config["TimeoutInMillis"] <= 29000:
        raise bad_request("TimeoutInMillis must be between 50 and 29000 for WebSocket APIs.")
    return config
