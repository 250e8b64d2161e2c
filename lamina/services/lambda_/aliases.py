"""Aliases in the store: one row per alias of a function."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.store.rows import insert_new
from lamina.store.schema import lambda_aliases as aliases


@dataclass(frozen=True)
class Alias:
    function_id: int
    name: str
    function_version: str
    description: str
    routing: dict[str, float]  # AdditionalVersionWeights
    revision_id: str


_COLUMNS = (
    aliases.c.function_id,
    aliases.c.name,
    aliases.c.function_version,
    aliases.c.description,
    aliases.c.routing,
    aliases.c.revision_id,
)


class AlreadyExists(Exception):
    pass


def get(conn: Connection, function_id: int, name: str) -> Alias | None:
    row = conn.execute(
        sa.select(*_COLUMNS).where(aliases.c.function_id == function_id, aliases.c.name == name)
    ).first()
    return Alias(*row) if row else None


def insert(conn: Connection, alias: Alias) -> None:
    row = aliases.insert().values(
        function_id=alias.function_id,
        name=alias.name,
        function_version=alias.function_version,
        description=alias.description,
        routing=alias.routing,
        revision_id=alias.revision_id,
    )
    insert_new(conn, row, AlreadyExists(alias.name))


def replace(conn: Connection, current: Alias, changed: Alias) -> bool:
    """Write `changed` if nobody else changed the alias since `current` was read."""
    result = conn.execute(
        aliases.update()
        .where(
            aliases.c.function_id == current.function_id,
            aliases.c.name == current.name,
            aliases.c.revision_id == current.revision_id,
        )
        .values(
            function_version=changed.function_version,
            description=changed.description,
            routing=changed.routing,
            revision_id=changed.revision_id,
        )
    )
    return result.rowcount == 1


def delete(conn: Connection, function_id: int, name: str | None = None) -> bool:
    """Delete one alias, or (no name) every alias of the function."""
    query = aliases.delete().where(aliases.c.function_id == function_id)
    if name is not None:
        query = query.where(aliases.c.name == name)
    return conn.execute(query).rowcount > 0


def list_page(
    conn: Connection, function_id: int, version: str | None, after: str | None, limit: int
) -> list[Alias]:
    query = sa.select(*_COLUMNS).where(aliases.c.function_id == function_id)
    if version is not None:
        query = query.where(aliases.c.function_version == version)
    if after is not None:
        query = query.where(aliases.c.name > after)
    rows = conn.execute(query.order_by(aliases.c.name).limit(limit))
    return [Alias(*row) for row in rows]


def referring_to(conn: Connection, function_id: int, version: str) -> list[str]:
    """The aliases that route to a version, as primary or additional."""
    rows = conn.execute(
        sa.select(aliases.c.name, aliases.c.function_version, aliases.c.routing)
        .where(aliases.c.function_id == function_id)
        .order_by(aliases.c.name)
    )
    return [name for name, primary, routing in rows if version == primary or version in routing]
