"""Which nodes are alive to hold WebSocket connections: each renews its row every RENEW_EVERY
seconds; a node that has not renewed for LEASE seconds died (a node stopping cleanly closes
its sockets, whose rows go with them), and any other node drops its connections' rows and the
deliveries waiting for it, so GetConnection and PostToConnection answer GoneException."""

from __future__ import annotations

import sqlalchemy as sa

from lamina.store import Store
from lamina.store.schema import apigwv2_connections, apigwv2_deliveries
from lamina.store.schema import apigwv2_holders as table

RENEW_EVERY = 10.0
LEASE = 60.0


def renew(store: Store, node: str, now: float) -> None:
    with store.write() as conn:
        updated = conn.execute(
            table.update().where(table.c.node == node).values(renewed_at=now)
        ).rowcount
        if not updated:
            conn.execute(table.insert().values(node=node, renewed_at=now))


def sweep(store: Store, now: float) -> list[str]:
    """Drop what the nodes that stopped renewing left; their names."""
    with store.write() as conn:
        dead = list(
            conn.execute(sa.select(table.c.node).where(table.c.renewed_at < now - LEASE)).scalars()
        )
        if dead:
            for held in (apigwv2_connections, apigwv2_deliveries):
                conn.execute(held.delete().where(held.c.node.in_(dead)))
            conn.execute(table.delete().where(table.c.node.in_(dead)))
    return dead
