"""API Gateway's errors, in AWS's words (status codes from the model's error shapes)."""

from __future__ import annotations

from lamina.protocol.errors import ServiceError


def not_found(message: str) -> ServiceError:
    return ServiceError("NotFoundException", message, 404)


def bad_request(message: str) -> ServiceError:
    return ServiceError("BadRequestException", message, 400)


def conflict(message: str) -> ServiceError:
    return ServiceError("ConflictException", message, 409)


def api_not_found(account_id: str, api_id: str) -> ServiceError:
    return not_found(f"Invalid API identifier specified {account_id}:{api_id}")


def resource_not_found() -> ServiceError:
    return not_found("Invalid Resource identifier specified")


def method_not_found() -> ServiceError:
    return not_found("Invalid Method identifier specified")


def integration_not_found() -> ServiceError:
    return not_found("Invalid Integration identifier specified")


def response_not_found() -> ServiceError:
    return not_found("Invalid Response status code specified")


def deployment_not_found() -> ServiceError:
    return not_found("Invalid Deployment identifier specified")


def stage_not_found() -> ServiceError:
    return not_found("Invalid Stage identifier specified")


def not_supported(what: str) -> ServiceError:
    """What AWS does and Lamina cannot honour yet: refused, never silently ignored."""
    return bad_request(f"Lamina does not support {what} yet.")
