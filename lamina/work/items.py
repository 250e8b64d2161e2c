"""Work items in the store: the rows of the durable work queue (DESIGN decision 11).

An item is inserted in the same transaction as the change that caused it (`enqueue`), and
deleted in the transaction that finishes it. A node works on an item only while it holds the
item's lease; a lease is renewed while held, so the items of a node that stops or dies become
free again, here or on another node.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.store.schema import work_items as items

T = TypeVar("T")


@dataclass
class WorkItem(Generic[T]):
    kind: str  # a WorkKind's name: which handler runs it
    account_id: str
    region: str
    payload: bytes  # the kind's packing of `value`
    created_at: float  # seconds since the epoch
    due_at: float  # not to run before this
    attempts: int = 0  # what the kind counts: runs that failed
    id: int = 0
    # The payload unpacked: set when the item was made here, or unpacked once when claimed.
    value: T = field(default=None, repr=False)  # type: ignore[assignment]
    settled: bool = field(default=False, repr=False)  # finished or rescheduled by its handler

    def row(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "account_id": self.account_id,
            "region": self.region,
            "payload": self.payload,
            "created_at": self.created_at,
            "due_at": self.due_at,
            "attempts": self.attempts,
        }


_COLUMNS = (
    items.c.kind,
    items.c.account_id,
    items.c.region,
    items.c.payload,
    items.c.created_at,
    items.c.due_at,
    items.c.attempts,
    items.c.id,
)
_INSERT = items.insert().returning(items.c.id)


def enqueue(conn: Connection, item: WorkItem[Any], lease: tuple[str, float] | None = None) -> int:
    """Add `item` in the caller's transaction; `lease` (owner, until): already held by the node
    that will run it (the queue's fast path), else it waits for a claim."""
    owner, until = lease if lease else (None, None)
    row = dict(item.row(), lease_owner=owner, lease_until=until)
    item.id = int(conn.execute(_INSERT, row).scalar_one())
    return item.id


def delete(conn: Connection, item_id: int) -> None:
    conn.execute(items.delete().where(items.c.id == item_id))


def retry_later(conn: Connection, item_id: int, attempts: int, due_at: float) -> None:
    """Give the item back to the queue, to run again from `due_at` (by any node)."""
    conn.execute(
        items.update()
        .where(items.c.id == item_id)
        .values(attempts=attempts, due_at=due_at, lease_owner=None, lease_until=None)
    )


def claim_due(
    conn: Connection, kind: str, owner: str, now: float, until: float, limit: int
) -> list[WorkItem[Any]]:
    """Lease up to `limit` items of `kind` that are due and held by no live lease, oldest due
    first."""
    free = sa.or_(items.c.lease_owner.is_(None), items.c.lease_until < now)
    query = (
        sa.select(*_COLUMNS)
        .where(items.c.kind == kind, items.c.due_at <= now, free)
        .order_by(items.c.due_at)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":  # nodes of a fleet take different items
        query = query.with_for_update(skip_locked=True)
    claimed = [WorkItem(**row._mapping) for row in conn.execute(query)]
    if claimed:
        conn.execute(
            items.update()
            .where(items.c.id.in_([item.id for item in claimed]))
            .values(lease_owner=owner, lease_until=until)
        )
    return claimed


def renew(conn: Connection, owner: str, ids: list[int], until: float) -> None:
    """Extend the leases `owner` holds on the items `ids` (only those: an item this node gave
    up on, or lost track of, must come free when its lease runs out)."""
    for start in range(0, len(ids), 500):
        conn.execute(
            items.update()
            .where(items.c.id.in_(ids[start : start + 500]), items.c.lease_owner == owner)
            .values(lease_until=until)
        )


def release(conn: Connection, owner: str | None) -> int:
    """Give up the leases of `owner` (None: every lease: one node alone on its own store,
    starting again, holds none yet). Returns how many were released."""
    query = items.update().values(lease_owner=None, lease_until=None)
    if owner is None:
        query = query.where(items.c.lease_owner.is_not(None))
    else:
        query = query.where(items.c.lease_owner == owner)
    return int(conn.execute(query).rowcount)


def count(conn: Connection, kind: str | None = None) -> int:
    query = sa.select(sa.func.count()).select_from(items)
    if kind is not None:
        query = query.where(items.c.kind == kind)
    return int(conn.execute(query).scalar_one())
