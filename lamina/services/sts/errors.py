"""STS's errors, with the codes and messages AWS gives."""

from __future__ import annotations

from lamina.protocol.errors import ServiceError


def access_denied(message: str) -> ServiceError:
    return ServiceError("AccessDenied", message, 403)


def not_authorized(caller_arn: str, action: str, resource: str) -> ServiceError:
    return access_denied(
        f"User: {caller_arn} is not authorized to perform: {action} on resource: {resource}"
    )


def validation(message: str) -> ServiceError:
    return ServiceError("ValidationError", message, 400)


def invalid_identity_token(message: str) -> ServiceError:
    return ServiceError("InvalidIdentityToken", message, 400)


def expired_web_token(message: str) -> ServiceError:
    return ServiceError("ExpiredTokenException", message, 400)


def not_supported(what: str) -> ServiceError:
    """What Lamina does not evaluate yet, said rather than silently ignored."""
    return ServiceError(
        "NotImplementedException", f"Lamina does not support {what} yet.", 501, sender_fault=False
    )
