"""WebSocket connections in the store: one row while a socket is open, naming the node that
holds it (only that node can write to the socket). GetConnection on any node reads it; a node
that starts holds no sockets, so the rows it left behind are dropped; those of a node that died
and stays down go once it stops renewing as a holder (holders.py)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from lamina.store import Store
from lamina.store.schema import apigwv2_connections as table


@dataclass(frozen=True)
class Row:
    connection_id: str
    api_id: str
    stage: str
    node: str
    source_ip: str
    user_agent: str
    connected_at: float


def insert(store: Store, row: Row) -> None:
    with store.write() as conn:
        conn.execute(table.insert().values(**row.__dict__))


def delete(store: Store, connection_id: str) -> None:
    with store.write() as conn:
        conn.execute(table.delete().where(table.c.connection_id == connection_id))


def find(store: Store, connection_id: str) -> Row | None:
    with store.read() as conn:
        found = conn.execute(sa.select(table).where(table.c.connection_id == connection_id))
        row = found.first()
    return Row(**row._mapping) if row else None


def forget_node(store: Store, node: str) -> None:
    with store.write() as conn:
        conn.execute(table.delete().where(table.c.node == node))
