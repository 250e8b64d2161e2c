"""What a WebSocket API (ProtocolType WEBSOCKET) takes that an HTTP API does not: its
RouteSelectionExpression (`$request.body.{json path}`, the message's key that picks a route),
route keys (`$connect`, `$disconnect`, `$default`, or any other: the value that expression
yields) and its integrations' settings (payload format 1.0 only; request templates)."""

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


_KINDS = ("AWS_PROXY", "AWS", "HTTP", "HTTP_PROXY", "MOCK")
PROXIES = ("AWS_PROXY", "HTTP_PROXY")
_PASSTHROUGH = ("WHEN_NO_MATCH", "NEVER", "WHEN_NO_TEMPLATES")
CONTENT_HANDLING = ("CONVERT_TO_BINARY", "CONVERT_TO_TEXT")
_NON_PROXY_ONLY = ("RequestTemplates", "TemplateSelectionExpression", "ContentHandlingStrategy")


def integration_config(wanted: dict[str, Any]) -> dict[str, Any]:
    """A WebSocket API's integration: AWS_PROXY or AWS (non-proxy) to a Lambda function,
    HTTP_PROXY or HTTP to a URL, or MOCK; the non-proxy ones with RequestTemplates chosen by
    their TemplateSelectionExpression (websocket_mapping.py renders them)."""
    from lamina.services.apigatewayv2 import websocket_selection
    from lamina.services.apigatewayv2.integration_operations import function_arn

    kind = wanted.get("IntegrationType")
    for name in ("IntegrationSubtype", "CredentialsArn"):
        if wanted.get(name):
            raise bad_request(f"Lamina does not support {name} on WebSocket APIs yet.")
    wanted = {k: v for k, v in wanted.items() if k not in ("IntegrationSubtype", "CredentialsArn")}
    if kind not in _KINDS:
        raise bad_request(
            f"Invalid IntegrationType: {kind}. WebSocket APIs take {', '.join(_KINDS)}."
        )
    uri = wanted.get("IntegrationUri")
    if kind in ("AWS_PROXY", "AWS"):
        if not uri or function_arn(uri) is None:
            raise bad_request(
                f"Invalid IntegrationUri: {uri}. Lamina serves {kind} integrations of WebSocket "
                "APIs to Lambda functions (a function ARN, or its apigateway invocations ARN); "
                "other AWS services it does not support yet."
            )
    elif kind in ("HTTP", "HTTP_PROXY"):
        if not uri or not uri.startswith(("http://", "https://")):
            raise bad_request(f"Invalid IntegrationUri: {uri}. {kind} takes an http(s) URL.")
        if not wanted.get("IntegrationMethod"):
            raise bad_request(f"IntegrationMethod is required for {kind} integrations.")
    if wanted.get("ConnectionType", "INTERNET") != "INTERNET":
        raise bad_request("Lamina does not support ConnectionType VPC_LINK (VPC links) yet.")
    if wanted.get("RequestParameters"):
        raise bad_request("Lamina does not support RequestParameters on WebSocket APIs yet.")
    if wanted.get("ResponseParameters"):
        raise bad_request("ResponseParameters are supported only for HTTP APIs.")
    wanted = {k: v for k, v in wanted.items() if k != "RequestParameters"}
    if wanted.get("PayloadFormatVersion", "1.0") != "1.0":
        raise bad_request("WebSocket APIs take PayloadFormatVersion 1.0.")
    for name in ("RequestTemplates", "TemplateSelectionExpression"):
        if not wanted.get(name):
            wanted.pop(name, None)  # {} or "" clears them
    for name in _NON_PROXY_ONLY:
        if wanted.get(name) and kind in PROXIES:
            raise bad_request(
                f"{name} is not supported for {kind} integrations: proxy integrations pass the "
                "message on as it is."
            )
    websocket_selection.check_templates(
        wanted, "RequestTemplates", websocket_selection.REQUEST_VARIABLES
    )
    behaviour = wanted.get("PassthroughBehavior", "WHEN_NO_MATCH")
    if behaviour not in _PASSTHROUGH:
        raise bad_request(
            f"Invalid PassthroughBehavior: {behaviour}. It is one of {', '.join(_PASSTHROUGH)}."
        )
    strategy = wanted.get("ContentHandlingStrategy")
    if strategy is not None and strategy not in CONTENT_HANDLING:
        raise bad_request(
            f"Invalid ContentHandlingStrategy: {strategy}. It is CONVERT_TO_BINARY or "
            "CONVERT_TO_TEXT."
        )
    config: dict[str, Any] = {"ConnectionType": "INTERNET"}
    if kind in ("AWS_PROXY", "AWS"):
        config["IntegrationMethod"] = "POST"
    config.update({
        "PassthroughBehavior": "WHEN_NO_MATCH", "PayloadFormatVersion": "1.0",
        "TimeoutInMillis": 29000, **wanted,
    })  # fmt: skip
    if not 50 <= config["TimeoutInMillis"] <= 29000:
        raise bad_request("TimeoutInMillis must be between 50 and 29000 for WebSocket APIs.")
    return config
