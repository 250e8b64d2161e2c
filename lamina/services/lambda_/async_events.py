"""Asynchronous invocations in the store: the durable event queue.

An event is inserted before Invoke answers 202 and deleted once it is done (run, or dropped).
A node runs an event only while it holds the event's lease; a lease is renewed while held, so
the events of a node that stops or dies become free to run again, here or on another node.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.execution.concurrency import FunctionKey
from lamina.store.schema import lambda_async_events as events


@dataclass
class AsyncEvent:
    request_id: str
    account_id: str
    region: str
    function_name: str
    qualifier: str
    payload: bytes
    trace_id: str
    received_at: float  # seconds since the epoch
    attempts: int = 0  # invocations that ran and failed
    id: int = 0

    @property
    def function(self) -> FunctionKey:
        return (self.account_id, self.region, self.function_name)

    def row(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "account_id": self.account_id,
            "region": self.region,
            "function_name": self.function_name,
            "qualifier": self.qualifier,
            "payload": self.payload,
            "trace_id": self.trace_id,
            "received_at": self.received_at,
            "attempts": self.attempts,
        }


_COLUMNS = (
    events.c.request_id,
    events.c.account_id,
    events.c.region,
    events.c.function_name,
    events.c.qualifier,
    events.c.payload,
    events.c.trace_id,
    events.c.received_at,
    events.c.attempts,
    events.c.id,
)
_INSERT = events.insert().returning(events.c.id)


def insert(conn: Connection, event: AsyncEvent, lease: tuple[str, float] | None) -> int:
    """Queue `event`, due now; `lease` (owner, until): already held by the node that took it."""
    owner, until = lease if lease else (None, None)
    row = dict(event.row(), due_at=event.received_at, lease_owner=owner, lease_until=until)
    event.id = int(conn.execute(_INSERT, row).scalar_one())
    return event.id


def delete(conn: Connection, event_id: int) -> None:
    conn.execute(events.delete().where(events.c.id == event_id))


def retry_later(conn: Connection, event_id: int, attempts: int, due_at: float) -> None:
    """Give the event back to the queue, to run again from `due_at` (by any node)."""
    conn.execute(
        events.update()
        .where(events.c.id == event_id)
        .values(attempts=attempts, due_at=due_at, lease_owner=None, lease_until=None)
    )


def claim_due(
    conn: Connection, owner: str, now: float, until: float, limit: int
) -> list[AsyncEvent]:
    """Lease up to `limit` events that are due and held by no live lease, oldest due first."""
    free = sa.or_(events.c.lease_owner.is_(None), events.c.lease_until < now)
    query = (
        sa.select(*_COLUMNS)
        .where(events.c.due_at <= now, free)
        .order_by(events.c.due_at)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":  # nodes of a fleet take different events
        query = query.with_for_update(skip_locked=True)
    claimed = [AsyncEvent(**row._mapping) for row in conn.execute(query)]
    if claimed:
        conn.execute(
            events.update()
            .where(events.c.id.in_([event.id for event in claimed]))
            .values(lease_owner=owner, lease_until=until)
        )
    return claimed


def renew(conn: Connection, owner: str, ids: list[int], until: float) -> None:
    """Extend the leases `owner` holds on the events `ids` (only those: an event this node
    gave up on, or lost track of, must come free when its lease runs out)."""
    for start in range(0, len(ids), 500):
        conn.execute(
            events.update()
            .where(events.c.id.in_(ids[start : start + 500]), events.c.lease_owner == owner)
            .values(lease_until=until)
        )


def release(conn: Connection, owner: str | None) -> int:
    """Give up the leases of `owner` (None: every lease: one node alone on its own store,
    starting again, holds none yet). Returns how many were released."""
    query = events.update().values(lease_owner=None, lease_until=None)
    if owner is None:
        query = query.where(events.c.lease_owner.is_not(None))
    else:
        query = query.where(events.c.lease_owner == owner)
    return int(conn.execute(query).rowcount)


def next_due(conn: Connection) -> float | None:
    """When the earliest event not held by anyone is due (None: none waiting)."""
    return conn.execute(
        sa.select(sa.func.min(events.c.due_at)).where(events.c.lease_owner.is_(None))
    ).scalar()


def count(conn: Connection) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(events)).scalar_one())
