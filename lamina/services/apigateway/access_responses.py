"""The gateway responses of access control (API keys, usage plans, authorizers, SigV4), with
their x-amzn-ErrorType, as AWS answers them by default. The policy denials' body says
"Message", capitalised, as AWS's does."""

from __future__ import annotations

import json
from typing import Any

from lamina.protocol.http import HttpResponse


def _answer(status: int, body: dict[str, Any], error_type: str) -> HttpResponse:
    headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", error_type)]
    return HttpResponse(status, headers, json.dumps(body).encode())


def forbidden() -> HttpResponse:
    """INVALID_API_KEY: no key, or one not enabled in a usage plan of this stage."""
    return _answer(403, {"message": "Forbidden"}, "ForbiddenException")


def quota_exceeded() -> HttpResponse:
    """QUOTA_EXCEEDED: the key's usage plan quota is spent for the period."""
    return _answer(429, {"message": "Limit Exceeded"}, "LimitExceededException")


def throttled() -> HttpResponse:
    """THROTTLED: past the usage plan's rate and burst."""
    return _answer(429, {"message": "Too Many Requests"}, "TooManyRequestsException")


def unauthorized() -> HttpResponse:
    """UNAUTHORIZED: no identity, one failing the validation expression, or an authorizer that
    answered Unauthorized."""
    return _answer(401, {"message": "Unauthorized"}, "UnauthorizedException")


def explicit_deny() -> HttpResponse:
    """ACCESS_DENIED: the authorizer's policy denies the method."""
    return _answer(
        403,
        {"Message": "User is not authorized to access this resource with an explicit deny"},
        "AccessDeniedException",
    )


def implicit_deny() -> HttpResponse:
    """ACCESS_DENIED: nothing in the authorizer's policy allows the method."""
    return _answer(
        403, {"Message": "User is not authorized to access this resource"}, "AccessDeniedException"
    )


def authorizer_failed() -> HttpResponse:
    """AUTHORIZER_CONFIGURATION_ERROR / AUTHORIZER_FAILURE: the function failed, timed out or
    answered what the gateway cannot read."""
    return _answer(500, {"message": None}, "AuthorizerConfigurationException")


def bad_signature(error_type: str, message: str) -> HttpResponse:
    """A SigV4-signed request to an AWS_IAM method whose signature does not hold (a bad
    signature, an unknown key, a stale date): the verifier's own words."""
    return _answer(403, {"message": message}, error_type)
