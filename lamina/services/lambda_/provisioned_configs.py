"""Provisioned concurrency configs in the store: one row per version or alias of a function."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.store.schema import lambda_functions as functions
from lamina.store.schema import lambda_provisioned_concurrency as configs


@dataclass(frozen=True)
class ProvisionedConfig:
    function_id: int
    qualifier: str  # a published version's number or an alias's name
    requested: int
    last_modified: str


@dataclass(frozen=True)
class Placed:
    """A config with the function it belongs to (what a node provisions at start)."""

    account_id: str
    region: str
    name: str
    config: ProvisionedConfig


_COLUMNS = (
    configs.c.function_id,
    configs.c.qualifier,
    configs.c.requested,
    configs.c.last_modified,
)


def get(conn: Connection, function_id: int, qualifier: str) -> ProvisionedConfig | None:
    row = conn.execute(
        sa.select(*_COLUMNS).where(
            configs.c.function_id == function_id, configs.c.qualifier == qualifier
        )
    ).first()
    return ProvisionedConfig(*row) if row else None


def put(conn: Connection, config: ProvisionedConfig) -> None:
    delete(conn, config.function_id, config.qualifier)
    conn.execute(
        configs.insert().values(
            function_id=config.function_id,
            qualifier=config.qualifier,
            requested=config.requested,
            last_modified=config.last_modified,
        )
    )


def delete(conn: Connection, function_id: int, qualifier: str) -> bool:
    deleted = conn.execute(
        configs.delete().where(
            configs.c.function_id == function_id, configs.c.qualifier == qualifier
        )
    )
    return deleted.rowcount > 0


def of_function(conn: Connection, function_id: int) -> list[ProvisionedConfig]:
    rows = conn.execute(
        sa.select(*_COLUMNS)
        .where(configs.c.function_id == function_id)
        .order_by(configs.c.qualifier)
    )
    return [ProvisionedConfig(*row) for row in rows]


def unreserved_total(conn: Connection, account_id: str, region: str) -> int:
    """What the account's functions without a reservation have provisioned: it comes out of
    the account's unreserved pool."""
    total = conn.execute(
        sa.select(sa.func.coalesce(sa.func.sum(configs.c.requested), 0))
        .select_from(configs.join(functions, functions.c.id == configs.c.function_id))
        .where(
            functions.c.account_id == account_id,
            functions.c.region == region,
            functions.c.reserved_concurrency.is_(None),
        )
    ).scalar_one()
    return int(total)


def by_function(conn: Connection, account_id: str, region: str) -> dict[int, int]:
    """Each function's provisioned concurrency in all (its versions' and aliases' configs)."""
    rows = conn.execute(
        sa.select(configs.c.function_id, sa.func.sum(configs.c.requested))
        .select_from(configs.join(functions, functions.c.id == configs.c.function_id))
        .where(functions.c.account_id == account_id, functions.c.region == region)
        .group_by(configs.c.function_id)
    )
    return {int(function_id): int(total) for function_id, total in rows}


def every(conn: Connection) -> list[Placed]:
    rows = conn.execute(
        sa.select(functions.c.account_id, functions.c.region, functions.c.name, *_COLUMNS)
        .select_from(configs.join(functions, functions.c.id == configs.c.function_id))
        .order_by(configs.c.function_id, configs.c.qualifier)
    )
    return [Placed(r[0], r[1], r[2], ProvisionedConfig(*r[3:])) for r in rows]
