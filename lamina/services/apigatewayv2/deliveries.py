"""PostToConnection and DeleteConnection for a connection another node holds: written to the
store for the holder (durable before the caller is answered), taken by the holder. On
PostgreSQL the write also NOTIFYs the holder (payload: its node name) so it need not poll; on
SQLite (one node) the holder polls while it holds connections."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from lamina.store import Store
from lamina.store.schema import apigwv2_deliveries as table

log = logging.getLogger(__name__)
CHANNEL = "lamina_apigwv2_deliveries"
POST, DELETE = "post", "delete"


@dataclass(frozen=True)
class Delivery:
    connection_id: str
    action: str
    data: bytes


def put(store: Store, node: str, connection_id: str, action: str, data: bytes = b"") -> None:
    with store.write() as conn:
        conn.execute(
            table.insert().values(node=node, connection_id=connection_id, action=action, data=data)
        )
        if store.dialect == "postgresql":  # delivered to listeners when this commits
            conn.execute(sa.select(sa.func.pg_notify(CHANNEL, node)))


def take(store: Store, node: str) -> list[Delivery]:
    """What waits for this node, oldest first, removed from the store."""
    with store.write() as conn:
        rows = conn.execute(
            sa.select(table.c.seq, table.c.connection_id, table.c.action, table.c.data)
            .where(table.c.node == node)
            .order_by(table.c.seq)
        ).all()
        if rows:
            conn.execute(table.delete().where(table.c.seq.in_([r.seq for r in rows])))
    return [Delivery(r.connection_id, r.action, bytes(r.data)) for r in rows]


def forget_node(store: Store, node: str) -> None:
    with store.write() as conn:
        conn.execute(table.delete().where(table.c.node == node))


class Listener:
    """LISTEN on PostgreSQL in a thread of its own; `wake` runs when a delivery names `node`."""

    def __init__(self, store: Store, node: str, wake: Callable[[], None]) -> None:
        self.store = store
        self.node = node
        self.wake = wake
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.store.dialect != "postgresql":
            return
        raw = self.store.engine.raw_connection()
        conn: Any = raw.driver_connection
        raw.detach()  # held for as long as the node runs: not the pool's any more
        conn.rollback()
        conn.autocommit = True
        conn.execute(f"LISTEN {CHANNEL}")
        self._thread = threading.Thread(
            target=self._listen, args=(conn,), name="apigwv2-listen", daemon=True
        )
        self._thread.start()

    def _listen(self, conn: Any) -> None:
        try:
            while not self._stopping.is_set():
                for notice in conn.notifies(timeout=0.5):
                    if notice.payload == self.node:
                        self.wake()
        except Exception as error:  # the holder still polls (slowly): say why it is slower
            if not self._stopping.is_set():
                log.warning("WebSocket deliveries: LISTEN ended: %s", error)
        finally:
            conn.close()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
