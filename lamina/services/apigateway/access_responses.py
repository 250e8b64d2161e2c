"""The gateway responses of access control (API keys, usage plans, authorizers, SigV4), with
their x-amzn-ErrorType, as AWS answers them by default. The policy denials' body says
"Message", capitalised, as AWS's does."""

from __future__ import annotations

from typing import Any

from lamina.services.apigateway.gateway_responses import GatewayAnswer, answer


def _answer(
    response_type: str, status: int, body: dict[str, Any], error_type: str
) -> GatewayAnswer:
    message = body.get("message", body.get("Message"))
    return answer(response_type, status, message, error_type, body)


def forbidden() -> GatewayAnswer:
    """INVALID_API_KEY: no key, or one not enabled in a usage plan of this stage."""
    return _answer("INVALID_API_KEY", 403, {"message": "Forbidden"}, "ForbiddenException")


def quota_exceeded() -> GatewayAnswer:
    """QUOTA_EXCEEDED: the key's usage plan quota is spent for the period."""
    return _answer("QUOTA_EXCEEDED", 429, {"message": "Limit Exceeded"}, "LimitExceededException")


def throttled() -> GatewayAnswer:
    """THROTTLED: past the usage plan's rate and burst."""
    return _answer("THROTTLED", 429, {"message": "Too Many Requests"}, "TooManyRequestsException")


def unauthorized() -> GatewayAnswer:
    """UNAUTHORIZED: no identity, one failing the validation expression, or an authorizer that
    answered Unauthorized."""
    return _answer("UNAUTHORIZED", 401, {"message": "Unauthorized"}, "UnauthorizedException")


def explicit_deny() -> GatewayAnswer:
    """ACCESS_DENIED: the authorizer's policy denies the method."""
    return _answer(
        "ACCESS_DENIED",
        403,
        {"Message": "User is not authorized to access this resource with an explicit deny"},
        "AccessDeniedException",
    )


def implicit_deny() -> GatewayAnswer:
    """ACCESS_DENIED: nothing in the authorizer's policy allows the method."""
    return _answer(
        "ACCESS_DENIED",
        403,
        {"Message": "User is not authorized to access this resource"},
        "AccessDeniedException",
    )


def iam_denied(message: str) -> GatewayAnswer:
    """ACCESS_DENIED: the signer's IAM policies, or the API's resource policy, do not allow
    execute-api:Invoke on the method."""
    return _answer("ACCESS_DENIED", 403, {"Message": message}, "AccessDeniedException")


def authorizer_failed() -> GatewayAnswer:
    """AUTHORIZER_CONFIGURATION_ERROR / AUTHORIZER_FAILURE: the function failed, timed out or
    answered what the gateway cannot read."""
    return _answer(
        "AUTHORIZER_CONFIGURATION_ERROR", 500, {"message": None}, "AuthorizerConfigurationException"
    )


def bad_signature(error_type: str, message: str) -> GatewayAnswer:
    """A SigV4-signed request to an AWS_IAM method whose signature does not hold (a bad
    signature, an unknown key, a stale date): the verifier's own words."""
    return _answer("INVALID_SIGNATURE", 403, {"message": message}, error_type)
