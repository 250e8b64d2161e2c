"""Tags on any service's resources, kept by ARN in one table."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.store.schema import resource_tags

_GET = sa.select(resource_tags.c.key, resource_tags.c.value).where(
    resource_tags.c.resource_arn == sa.bindparam("arn")
)  # built once: it is read on every GetFunction


def get_tags(conn: Connection, arn: str) -> dict[str, str]:
    return {key: value for key, value in conn.execute(_GET, {"arn": arn})}


def put_tags(conn: Connection, arn: str, tags: dict[str, str]) -> None:
    if not tags:
        return
    conn.execute(
        resource_tags.delete().where(
            resource_tags.c.resource_arn == arn, resource_tags.c.key.in_(list(tags))
        )
    )
    conn.execute(
        resource_tags.insert(),
        [{"resource_arn": arn, "key": key, "value": value} for key, value in tags.items()],
    )


def remove_tags(conn: Connection, arn: str, keys: list[str] | None = None) -> None:
    query = resource_tags.delete().where(resource_tags.c.resource_arn == arn)
    if keys is not None:
        query = query.where(resource_tags.c.key.in_(keys))
    conn.execute(query)
