"""The answers API Gateway itself gives (its default gateway responses): JSON {"message": …}
with the error type in x-amzn-ErrorType."""

from __future__ import annotations

import json

from lamina.protocol.http import HttpResponse


def _answer(status: int, message: str, error_type: str | None) -> HttpResponse:
    headers = [("Content-Type", "application/json")]
    if error_type:
        headers.append(("x-amzn-ErrorType", error_type))
    return HttpResponse(status, headers, json.dumps({"message": message}).encode())


def missing_authentication_token() -> HttpResponse:
    """MISSING_AUTHENTICATION_TOKEN: no such stage, resource or method."""
    return _answer(403, "Missing Authentication Token", "MissingAuthenticationTokenException")


def request_too_large() -> HttpResponse:
    """REQUEST_TOO_LARGE: a body over the 10 MB REST APIs take."""
    return _answer(413, "Request Too Long", None)


def bad_gateway() -> HttpResponse:
    """A function error or a malformed proxy response."""
    return _answer(502, "Internal server error", "InternalServerErrorException")


def internal_error() -> HttpResponse:
    """The integration could not be called (a deleted function), or no integration response."""
    return _answer(500, "Internal server error", "InternalServerErrorException")


def timed_out() -> HttpResponse:
    """INTEGRATION_TIMEOUT: past the integration's timeoutInMillis (29 s at most)."""
    return _answer(504, "Endpoint request timed out", None)


def not_supported(what: str) -> HttpResponse:
    """What Lamina's data plane cannot do yet: said, never faked (a 500, as a configuration
    error is on AWS)."""
    return _answer(500, f"Lamina does not support {what} yet", "InternalServerErrorException")
