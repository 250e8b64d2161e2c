"""Lambda's errors, with the messages AWS gives."""

from __future__ import annotations

from typing import Any

from lamina.protocol.errors import ServiceError


def _user(code: str, message: str, status: int | None = None, **fields: Any) -> ServiceError:
    return ServiceError(code, message, status, Type="User", **fields)


def function_not_found(arn: str) -> ServiceError:
    return _user("ResourceNotFoundException", f"Function not found: {arn}")


def function_exists(name: str) -> ServiceError:
    return _user("ResourceConflictException", f"Function already exist: {name}")


def invalid_parameter(message: str) -> ServiceError:
    return _user("InvalidParameterValueException", message)


def precondition_failed() -> ServiceError:
    return _user(
        "PreconditionFailedException",
        "The Revision Id provided does not match the latest Revision Id. "
        "Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
        412,
    )


def request_too_large(limit: int, operation: str) -> ServiceError:
    return _user(
        "RequestEntityTooLargeException",
        f"Request must be smaller than {limit} bytes for the {operation} operation",
        413,
    )


def code_storage_exceeded() -> ServiceError:
    return _user("CodeStorageExceededException", "Code storage limit exceeded.")


def not_supported(what: str) -> ServiceError:
    """A valid AWS request for something Lamina cannot do (yet): said plainly."""
    return invalid_parameter(f"Lamina does not support {what} yet.")


def too_many_requests(reason: str) -> ServiceError:
    """An invocation over a concurrency limit: Lambda's 429, with why in `Reason`."""
    return _user("TooManyRequestsException", "Rate Exceeded.", 429, Reason=reason)


def resource_not_found(message: str = "The resource you requested does not exist.") -> ServiceError:
    return _user("ResourceNotFoundException", message)


def resource_conflict(message: str) -> ServiceError:
    return _user("ResourceConflictException", message)


def access_denied(message: str) -> ServiceError:
    return _user("AccessDeniedException", message, 403)
