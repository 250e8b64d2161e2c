"""API Gateway's identifiers: 10 lowercase letters and digits for APIs and resources, 6 for
deployments, as AWS shapes them. REST and HTTP APIs take their ids from this one random
generator (36**10 of them), so an id names one API across both planes."""

from __future__ import annotations

from lamina import ids


def api_id() -> str:
    return ids.alnum_id(10)


def resource_id() -> str:
    return ids.alnum_id(10)


def deployment_id() -> str:
    return ids.alnum_id(6)


def short_id() -> str:
    """Models' and request validators' ids: 6 characters, as AWS shapes them."""
    return ids.alnum_id(6)


def client_certificate_id() -> str:
    """Client certificates' ids: 10 lowercase letters and digits, as AWS shapes them."""
    return ids.alnum_id(10)
