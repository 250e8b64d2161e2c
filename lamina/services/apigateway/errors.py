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


# What AWS says of a stage patch path it does not know (its own list, as it writes it).
_VALID = (
    "[/deploymentId, /description, /cacheClusterEnabled, /cacheClusterSize, "
    "/clientCertificateId, /accessLogSettings, /accessLogSettings/destinationArn, "
    "/accessLogSettings/format, /{resourcePath}/{httpMethod}/metrics/enabled, "
    "/{resourcePath}/{httpMethod}/logging/dataTrace, "
    "/{resourcePath}/{httpMethod}/logging/loglevel, "
    "/{resourcePath}/{httpMethod}/throttling/burstLimit/{resourcePath}/{httpMethod}/throttling/"
    "rateLimit/{resourcePath}/{httpMethod}/caching/ttlInSeconds, "
    "/{resourcePath}/{httpMethod}/caching/enabled, /{resourcePath}/{httpMethod}/caching/"
    "dataEncrypted, /{resourcePath}/{httpMethod}/caching/requireAuthorizationForCacheControl, "
    "/{resourcePath}/{httpMethod}/caching/unauthorizedCacheControlHeaderStrategy, "
    "/*/*/metrics/enabled, /*/*/logging/dataTrace, /*/*/logging/loglevel, "
    "/*/*/throttling/burstLimit /*/*/throttling/rateLimit /*/*/caching/ttlInSeconds, "
    "/*/*/caching/enabled, /*/*/caching/dataEncrypted, "
    "/*/*/caching/requireAuthorizationForCacheControl, "
    "/*/*/caching/unauthorizedCacheControlHeaderStrategy, /variables/{variable_name}, "
    "/tracingEnabled]"
)


def invalid_stage_path(path: str) -> ServiceError:
    return bad_request(f"Invalid method setting path: {path}. Must be one of: {_VALID}")
