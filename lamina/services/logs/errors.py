"""CloudWatch Logs' errors, with the messages AWS gives."""

from __future__ import annotations

from lamina.protocol.errors import ServiceError


def group_exists() -> ServiceError:
    return ServiceError("ResourceAlreadyExistsException", "The specified log group already exists")


def stream_exists() -> ServiceError:
    return ServiceError("ResourceAlreadyExistsException", "The specified log stream already exists")


def group_not_found() -> ServiceError:
    return ServiceError("ResourceNotFoundException", "The specified log group does not exist.")


def stream_not_found() -> ServiceError:
    return ServiceError("ResourceNotFoundException", "The specified log stream does not exist.")


def invalid_parameter(message: str) -> ServiceError:
    return ServiceError("InvalidParameterException", message)


def validation(message: str) -> ServiceError:
    return ServiceError("ValidationException", message)


def invalid_token() -> ServiceError:
    return invalid_parameter("The specified nextToken is invalid.")


def not_supported(what: str) -> ServiceError:
    """A valid AWS request for something Lamina cannot do (yet): said plainly."""
    return invalid_parameter(f"Lamina does not support {what} yet.")
