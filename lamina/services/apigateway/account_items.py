"""The rows of API keys, usage plans, their keys, authorizers and client certificates (one
table, `kind` says which): found, listed, written and deleted in the caller's account and region."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.store.schema import apigateway_account_items as items

API_KEY = "apikey"
USAGE_PLAN = "usageplan"
PLAN_KEY = "plankey"
AUTHORIZER = "authorizer"
CLIENT_CERTIFICATE = "clientcert"  # its config holds the private key too (kinds: 16 chars)


class Scope(Protocol):
    """Whose items: a caller's RequestContext, or an API's owner on the data plane."""

    @property
    def account_id(self) -> str: ...

    @property
    def region(self) -> str: ...


@dataclass(frozen=True)
class Owner:
    account_id: str
    region: str


def _mine(ctx: Scope, kind: str) -> Any:
    return sa.and_(
        items.c.account_id == ctx.account_id, items.c.region == ctx.region, items.c.kind == kind
    )


def get(conn: Connection, ctx: Scope, kind: str, item_id: str) -> Any:
    return conn.execute(
        sa.select(items).where(_mine(ctx, kind), items.c.item_id == item_id)
    ).first()


def listed(conn: Connection, ctx: Scope, kind: str, prefix: str = "") -> list[Any]:
    query = sa.select(items).where(_mine(ctx, kind))
    if prefix:
        query = query.where(items.c.item_id.startswith(prefix, autoescape=True))
    return list(conn.execute(query.order_by(items.c.created_at, items.c.item_id)))


def by_lookup(conn: Connection, ctx: Scope, kind: str, lookup: str) -> list[Any]:
    query = sa.select(items).where(_mine(ctx, kind), items.c.lookup == lookup)
    return list(conn.execute(query))


def insert(conn: Connection, ctx: Scope, kind: str, item_id: str, lookup: str | None,
           config: dict[str, Any], created_at: float) -> None:  # fmt: skip
    conn.execute(
        items.insert().values(
            account_id=ctx.account_id, region=ctx.region, kind=kind, item_id=item_id,
            lookup=lookup, config=config, created_at=created_at,
        )
    )  # fmt: skip


def update(conn: Connection, ctx: Scope, kind: str, item_id: str,
           config: dict[str, Any], lookup: str | None = None) -> None:  # fmt: skip
    values: dict[str, Any] = {"config": config}
    if lookup is not None:
        values["lookup"] = lookup
    conn.execute(
        items.update().where(_mine(ctx, kind), items.c.item_id == item_id).values(**values)
    )


def delete(conn: Connection, ctx: Scope, kind: str, item_id: str) -> None:
    conn.execute(items.delete().where(_mine(ctx, kind), items.c.item_id == item_id))


def delete_where(conn: Connection, ctx: Scope, kind: str, *, prefix: str = "",
                 lookup: str | None = None) -> None:  # fmt: skip
    query = items.delete().where(_mine(ctx, kind))
    if prefix:
        query = query.where(items.c.item_id.startswith(prefix, autoescape=True))
    if lookup is not None:
        query = query.where(items.c.lookup == lookup)
    conn.execute(query)
