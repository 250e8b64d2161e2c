"""API Gateway v2's errors, in AWS's words."""

from __future__ import annotations

from lamina.protocol.errors import ServiceError


def not_found(kind: str, *ids: str) -> ServiceError:
    """`kind` as AWS names it in the message: API, Route, Integration, Stage, Deployment."""
    return ServiceError(
        "NotFoundException", f"Invalid {kind} identifier specified {':'.join(ids)}", 404
    )


def bad_request(message: str) -> ServiceError:
    return ServiceError("BadRequestException", message, 400)


def conflict(message: str) -> ServiceError:
    return ServiceError("ConflictException", message, 409)


def not_supported(what: str) -> ServiceError:
    """What AWS does and Lamina cannot honour yet: refused, never accepted and ignored."""
    return bad_request(f"Lamina does not support {what} yet.")


def refuse_unsupported(params: dict[str, object], names: dict[str, str]) -> None:
    """Refuse any of `names` (parameter: what it is, for the message) that `params` sets."""
    for name, what in names.items():
        if params.get(name) not in (None, "", [], {}):
            raise not_supported(f"{name} ({what})")
