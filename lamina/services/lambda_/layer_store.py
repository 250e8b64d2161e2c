"""Layers in the store: a row per layer name (its version counter), a row per version."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.store.rows import insert_new
from lamina.store.schema import lambda_layer_versions as versions
from lamina.store.schema import lambda_layers as layers


@dataclass(frozen=True)
class LayerVersion:
    id: int
    account_id: str
    region: str
    name: str
    version: int
    config: dict[str, Any]
    digest: str
    unzipped_size: int
    statements: list[dict[str, Any]]
    revision_id: str
    deleted: bool


_COLUMNS = (
    versions.c.id,
    layers.c.account_id,
    layers.c.region,
    layers.c.name,
    versions.c.version,
    versions.c.config,
    versions.c.digest,
    versions.c.unzipped_size,
    versions.c.statements,
    versions.c.revision_id,
    versions.c.deleted,
)


def _select() -> sa.Select[Any]:
    return sa.select(*_COLUMNS).select_from(
        layers.join(versions, versions.c.layer_id == layers.c.id)
    )


def _in(account: str, region: str) -> tuple[Any, ...]:
    return (layers.c.account_id == account, layers.c.region == region)


class _Exists(Exception):
    pass


def next_version(conn: Connection, account: str, region: str, name: str) -> tuple[int, int]:
    """(layer id, the new version's number). The counter's row is updated in place, which
    locks it until the caller commits: two publishers never get the same number."""
    where = (*_in(account, region), layers.c.name == name)
    bumped = conn.execute(
        layers.update().where(*where).values(last_version=layers.c.last_version + 1)
    )
    if bumped.rowcount == 0:
        row = layers.insert().values(account_id=account, region=region, name=name, last_version=1)
        try:
            return insert_new(conn, row, _Exists()), 1
        except _Exists:  # published meanwhile by another node: take the next number
            return next_version(conn, account, region, name)
    found = conn.execute(sa.select(layers.c.id, layers.c.last_version).where(*where)).one()
    return int(found[0]), int(found[1])


def insert(
    conn: Connection,
    layer_id: int,
    version: int,
    config: dict[str, Any],
    digest: str,
    unzipped_size: int,
    revision_id: str,
) -> None:
    conn.execute(
        versions.insert().values(
            layer_id=layer_id,
            version=version,
            config=config,
            digest=digest,
            unzipped_size=unzipped_size,
            statements=[],
            revision_id=revision_id,
            deleted=False,
        )
    )


def get(
    conn: Connection, account: str, region: str, name: str, version: int
) -> LayerVersion | None:
    """A version, deleted or not (a function that uses a deleted one still runs it)."""
    row = conn.execute(
        _select().where(*_in(account, region), layers.c.name == name, versions.c.version == version)
    ).first()
    return LayerVersion(*row) if row else None


def versions_of(
    conn: Connection, account: str, region: str, name: str, below: int | None, limit: int
) -> list[LayerVersion]:
    """A layer's live versions, newest first, below version `below` when given."""
    query = _select().where(
        *_in(account, region), layers.c.name == name, versions.c.deleted.is_(False)
    )
    if below is not None:
        query = query.where(versions.c.version < below)
    rows = conn.execute(query.order_by(versions.c.version.desc()).limit(limit))
    return [LayerVersion(*row) for row in rows]


def live_versions(
    conn: Connection, account: str, region: str, after: str | None
) -> list[LayerVersion]:
    """Every live version of the layers named after `after`, by name, newest first."""
    query = _select().where(*_in(account, region), versions.c.deleted.is_(False))
    if after is not None:
        query = query.where(layers.c.name > after)
    rows = conn.execute(query.order_by(layers.c.name, versions.c.version.desc()))
    return [LayerVersion(*row) for row in rows]


def mark_deleted(conn: Connection, version_id: int) -> None:
    conn.execute(versions.update().where(versions.c.id == version_id).values(deleted=True))


def replace_statements(
    conn: Connection, current: LayerVersion, statements: list[dict[str, Any]], revision_id: str
) -> bool:
    """Write the version's policy if nobody else did since `current` was read."""
    result = conn.execute(
        versions.update()
        .where(versions.c.id == current.id, versions.c.revision_id == current.revision_id)
        .values(statements=statements, revision_id=revision_id)
    )
    return result.rowcount == 1
