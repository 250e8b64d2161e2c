"""HTTP APIs in the store: the API's row, and its routes, integrations, stages and deployments
as items of one table (kind, id, config). Every function takes the caller's connection, so an
operation and the redeploy it causes commit together."""

from __future__ import annotations

import secrets
import string
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.store.schema import apigwv2_apis as apis
from lamina.store.schema import apigwv2_items as items

ROUTE, INTEGRATION, STAGE, DEPLOYMENT = "route", "integration", "stage", "deployment"
ROUTE_RESPONSE = "routeresponse"  # a WebSocket API route's; its config names the RouteId
# a WebSocket API integration's response; its config names the IntegrationId (a kind is at most
# 16 characters: the column's width)
INTEGRATION_RESPONSE = "intresponse"
MODEL = "model"  # a WebSocket API's JSON Schema
_ALPHABET = string.ascii_lowercase + string.digits


def new_id(length: int) -> str:
    """AWS's id shapes: 10 characters for an API (random, so it cannot collide with a REST
    API's), 7 for a route, integration or deployment."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


@dataclass(frozen=True)
class Api:
    api_id: str
    account_id: str
    region: str
    config: dict[str, Any]
    created_at: float


@dataclass(frozen=True)
class Item:
    item_id: str
    config: dict[str, Any]
    created_at: float


def api(conn: Connection, api_id: str) -> Api | None:
    row = conn.execute(sa.select(apis).where(apis.c.api_id == api_id)).first()
    return Api(row.api_id, row.account_id, row.region, row.config, row.created_at) if row else None


def apis_of(conn: Connection, account_id: str, region: str) -> list[Api]:
    query = (
        sa.select(apis)
        .where(apis.c.account_id == account_id, apis.c.region == region)
        .order_by(apis.c.created_at, apis.c.api_id)
    )
    return [
        Api(r.api_id, r.account_id, r.region, r.config, r.created_at) for r in conn.execute(query)
    ]


def insert_api(conn: Connection, account_id: str, region: str, config: dict[str, Any]) -> Api:
    while True:
        api_id = new_id(10)
        if api(conn, api_id) is None:
            break
    now = time.time()
    conn.execute(
        apis.insert().values(
            api_id=api_id, account_id=account_id, region=region, config=config, created_at=now
        )
    )
    return Api(api_id, account_id, region, config, now)


def update_api(conn: Connection, api_id: str, config: dict[str, Any]) -> None:
    conn.execute(apis.update().where(apis.c.api_id == api_id).values(config=config))


def delete_api(conn: Connection, api_id: str) -> None:
    conn.execute(items.delete().where(items.c.api_id == api_id))  # SQLite may not cascade
    conn.execute(apis.delete().where(apis.c.api_id == api_id))


def all_items(conn: Connection, api_id: str, kind: str) -> list[Item]:
    query = (
        sa.select(items.c.item_id, items.c.config, items.c.created_at)
        .where(items.c.api_id == api_id, items.c.kind == kind)
        .order_by(items.c.created_at, items.c.item_id)
    )
    return [Item(*row) for row in conn.execute(query)]


def every_item(conn: Connection, api_id: str) -> dict[str, list[Item]]:
    """All of an API's items by kind, in one read (the data plane's)."""
    query = (
        sa.select(items.c.kind, items.c.item_id, items.c.config, items.c.created_at)
        .where(items.c.api_id == api_id)
        .order_by(items.c.created_at, items.c.item_id)
    )
    found: dict[str, list[Item]] = {ROUTE: [], INTEGRATION: [], STAGE: [], DEPLOYMENT: []}
    for kind, item_id, config, created_at in conn.execute(query):
        found.setdefault(kind, []).append(Item(item_id, config, created_at))
    return found


def item(conn: Connection, api_id: str, kind: str, item_id: str) -> Item | None:
    query = sa.select(items.c.item_id, items.c.config, items.c.created_at).where(
        items.c.api_id == api_id, items.c.kind == kind, items.c.item_id == item_id
    )
    row = conn.execute(query).first()
    return Item(*row) if row else None


def insert_item(
    conn: Connection, api_id: str, kind: str, config: dict[str, Any], item_id: str | None = None
) -> Item:
    """A new item; its id given (a stage's name) or made."""
    while item_id is None:
        candidate = new_id(7)
        if item(conn, api_id, kind, candidate) is None:
            item_id = candidate
    now = time.time()
    conn.execute(
        items.insert().values(
            api_id=api_id, kind=kind, item_id=item_id, config=config, created_at=now
        )
    )
    return Item(item_id, config, now)


def update_item(
    conn: Connection, api_id: str, kind: str, item_id: str, config: dict[str, Any]
) -> None:
    conn.execute(
        items.update()
        .where(items.c.api_id == api_id, items.c.kind == kind, items.c.item_id == item_id)
        .values(config=config)
    )


def delete_item(conn: Connection, api_id: str, kind: str, item_id: str) -> None:
    conn.execute(
        items.delete().where(
            items.c.api_id == api_id, items.c.kind == kind, items.c.item_id == item_id
        )
    )
