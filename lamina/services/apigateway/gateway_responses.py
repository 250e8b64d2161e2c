"""The answers API Gateway itself gives (its default gateway responses): JSON {"message": …}
with the error type in x-amzn-ErrorType. Each says which gateway response it is, so an API's
own (PutGatewayResponse, gateway_response_settings.py) can replace it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from lamina.protocol.http import HttpResponse


@dataclass
class GatewayAnswer(HttpResponse):
    """An answer of the gateway's own: its gateway response type and $context.error.message."""

    response_type: str = "DEFAULT_5XX"
    message: str | None = None


def answer(
    response_type: str, status: int, message: str | None, error_type: str | None,
    body: dict[str, Any] | None = None,
) -> GatewayAnswer:  # fmt: skip
    headers = [("Content-Type", "application/json")]
    if error_type:
        headers.append(("x-amzn-ErrorType", error_type))
    shown = body if body is not None else {"message": message}
    return GatewayAnswer(status, headers, json.dumps(shown).encode(), None, response_type, message)


def missing_authentication_token() -> GatewayAnswer:
    """MISSING_AUTHENTICATION_TOKEN: no such stage, resource or method."""
    return answer(
        "MISSING_AUTHENTICATION_TOKEN",
        403,
        "Missing Authentication Token",
        "MissingAuthenticationTokenException",
    )


def request_too_large() -> GatewayAnswer:
    """REQUEST_TOO_LARGE: a body over the 10 MB REST APIs take."""
    return answer("REQUEST_TOO_LARGE", 413, "Request Too Long", None)


def bad_gateway() -> GatewayAnswer:
    """A function error or a malformed proxy response."""
    return answer("DEFAULT_5XX", 502, "Internal server error", "InternalServerErrorException")


def internal_error() -> GatewayAnswer:
    """The integration could not be called (a deleted function), or no integration response."""
    return answer(
        "API_CONFIGURATION_ERROR", 500, "Internal server error", "InternalServerErrorException"
    )


def timed_out() -> GatewayAnswer:
    """INTEGRATION_TIMEOUT: past the integration's timeoutInMillis (29 s at most)."""
    return answer("INTEGRATION_TIMEOUT", 504, "Endpoint request timed out", None)


def not_supported(what: str) -> GatewayAnswer:
    """What Lamina's data plane cannot do yet: said, never faked (a 500, as a configuration
    error is on AWS)."""
    return answer(
        "DEFAULT_5XX", 500, f"Lamina does not support {what} yet", "InternalServerErrorException"
    )


def unsupported_media_type() -> GatewayAnswer:
    """UNSUPPORTED_MEDIA_TYPE: no request template for the Content-Type, and the integration's
    passthroughBehavior (NEVER, or WHEN_NO_TEMPLATES with templates) refuses the body."""
    return answer(
        "UNSUPPORTED_MEDIA_TYPE", 415, "Unsupported Media Type", "UnsupportedMediaTypeException"
    )


def not_integrated(message: str) -> GatewayAnswer:
    """An AWS integration with a service or action Lamina does not call yet: said, never faked."""
    return answer("DEFAULT_5XX", 500, message, "InternalServerErrorException")
