"""IAM's errors, with the codes and messages AWS gives."""

from __future__ import annotations

from lamina.protocol.errors import ServiceError

# Singular names as IAM's messages write them.
KIND_LABEL = {"role": "role", "user": "user", "group": "group"}


def no_such_entity(message: str) -> ServiceError:
    return ServiceError("NoSuchEntity", message)


def not_found(kind: str, name: str) -> ServiceError:
    """'The role with name x cannot be found.' (also user and group)."""
    return no_such_entity(f"The {KIND_LABEL[kind]} with name {name} cannot be found.")


def already_exists(message: str) -> ServiceError:
    return ServiceError("EntityAlreadyExists", message)


def exists(kind: str, name: str) -> ServiceError:
    """'Role with name x already exists.' (also User and Group)."""
    return already_exists(f"{KIND_LABEL[kind].capitalize()} with name {name} already exists.")


def delete_conflict(message: str) -> ServiceError:
    return ServiceError("DeleteConflict", message)


def limit_exceeded(message: str) -> ServiceError:
    return ServiceError("LimitExceeded", message)


def malformed(message: str) -> ServiceError:
    return ServiceError("MalformedPolicyDocument", message)


def invalid_input(message: str) -> ServiceError:
    return ServiceError("InvalidInput", message)


def validation(message: str) -> ServiceError:
    return ServiceError("ValidationError", message)


def unmodifiable(message: str) -> ServiceError:
    return ServiceError("UnmodifiableEntity", message)


def invalid_marker() -> ServiceError:
    return validation("Invalid Marker.")
