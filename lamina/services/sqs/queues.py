"""Queues in the store, and a short-lived cache of them for the message operations.

A send or receive needs its queue's row; reading it each time would cost as much as the send.
Entries live TTL_S: a change made through this node drops its entry once
committed; a change on another node of a fleet is seen here within the TTL (AWS, too, takes up
to a minute to apply attribute changes everywhere).
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.services.sqs import attributes
from lamina.services.sqs.errors import invalid_parameter, queue_does_not_exist
from lamina.services.sqs.urls import queue_arn
from lamina.store.schema import sqs_deleted_queues, sqs_queues

NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")
FIFO_NAME = re.compile(r"[A-Za-z0-9_-]{1,75}\.fifo")
DELETED_RECENTLY_S = 60.0
TTL_S = 1.0


@dataclass(frozen=True)
class Queue:
    id: int
    account_id: str
    region: str
    name: str
    fifo: bool
    stored: dict[str, str]  # the attributes that were set
    created_at: float
    modified_at: float
    purged_at: float | None

    @property
    def arn(self) -> str:
        return queue_arn(self.region, self.account_id, self.name)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.account_id, self.region, self.name)

    @property
    def values(self) -> dict[str, str]:
        return dict(self._effective)

    # Worked out once per cached queue, not per message: a send asks for two numbers, a
    # receive for three and the redrive policy.
    @cached_property
    def _effective(self) -> dict[str, str]:
        return attributes.effective(self.stored, self.fifo)

    @cached_property
    def _numbers(self) -> dict[str, int]:
        return {}

    def number(self, name: str) -> int:
        found = self._numbers.get(name)
        if found is None:
            found = self._numbers[name] = int(self._effective[name])
        return found

    @cached_property
    def redrive(self) -> dict[str, Any] | None:
        """The RedrivePolicy (not to be changed: the queue is shared by every request)."""
        text = self.stored.get("RedrivePolicy")
        return json.loads(text) if text else None


def _queue(row: Any) -> Queue:
    return Queue(
        id=row.id,
        account_id=row.account_id,
        region=row.region,
        name=row.name,
        fifo=bool(row.fifo),
        stored=json.loads(row.attributes),
        created_at=row.created_at,
        modified_at=row.modified_at,
        purged_at=row.purged_at,
    )


def check_name(name: str, fifo: bool) -> None:
    if fifo and not FIFO_NAME.fullmatch(name):
        raise invalid_parameter(
            "The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
            "underscores, must end with .fifo suffix and be 1 to 80 in length."
        )
    if not fifo and not NAME.fullmatch(name):
        raise invalid_parameter(
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
        )


def get(conn: Connection, account_id: str, region: str, name: str) -> Queue | None:
    row = conn.execute(
        sa.select(sqs_queues).where(
            sqs_queues.c.account_id == account_id,
            sqs_queues.c.region == region,
            sqs_queues.c.name == name,
        )
    ).first()
    return _queue(row) if row is not None else None


def by_id(conn: Connection, queue_id: int) -> Queue | None:
    row = conn.execute(sa.select(sqs_queues).where(sqs_queues.c.id == queue_id)).first()
    return _queue(row) if row is not None else None


def require(conn: Connection, account_id: str, region: str, name: str) -> Queue:
    found = get(conn, account_id, region, name)
    if found is None:
        raise queue_does_not_exist()
    return found


def deleted_recently(conn: Connection, account_id: str, region: str, name: str) -> bool:
    deleted_at = conn.execute(
        sa.select(sqs_deleted_queues.c.deleted_at).where(
            sqs_deleted_queues.c.account_id == account_id,
            sqs_deleted_queues.c.region == region,
            sqs_deleted_queues.c.name == name,
        )
    ).scalar()
    return deleted_at is not None and time.time() - deleted_at < DELETED_RECENTLY_S


def insert(
    conn: Connection, account_id: str, region: str, name: str, fifo: bool, stored: dict[str, str]
) -> Queue:
    now = time.time()
    conn.execute(
        sqs_deleted_queues.delete().where(
            sqs_deleted_queues.c.account_id == account_id,
            sqs_deleted_queues.c.region == region,
            sqs_deleted_queues.c.name == name,
        )
    )
    result = conn.execute(
        sqs_queues.insert().values(
            account_id=account_id,
            region=region,
            name=name,
            fifo=fifo,
            attributes=json.dumps(stored),
            created_at=now,
            modified_at=now,
        )
    )
    queue_id = int(result.inserted_primary_key[0])  # type: ignore[index]
    return Queue(queue_id, account_id, region, name, fifo, stored, now, now, None)


def update_attributes(conn: Connection, queue: Queue, stored: dict[str, str]) -> None:
    conn.execute(
        sqs_queues.update()
        .where(sqs_queues.c.id == queue.id)
        .values(attributes=json.dumps(stored), modified_at=time.time())
    )


def set_purged(conn: Connection, queue: Queue, at: float) -> None:
    conn.execute(sqs_queues.update().where(sqs_queues.c.id == queue.id).values(purged_at=at))


def delete(conn: Connection, queue: Queue) -> None:
    conn.execute(sqs_queues.delete().where(sqs_queues.c.id == queue.id))
    conn.execute(
        sqs_deleted_queues.delete().where(
            sqs_deleted_queues.c.account_id == queue.account_id,
            sqs_deleted_queues.c.region == queue.region,
            sqs_deleted_queues.c.name == queue.name,
        )
    )
    conn.execute(
        sqs_deleted_queues.insert().values(
            account_id=queue.account_id,
            region=queue.region,
            name=queue.name,
            deleted_at=time.time(),
        )
    )


def listing(conn: Connection, account_id: str, region: str, prefix: str) -> list[Queue]:
    query = sa.select(sqs_queues).where(
        sqs_queues.c.account_id == account_id, sqs_queues.c.region == region
    )
    rows = conn.execute(query.order_by(sqs_queues.c.name)).all()
    return [_queue(r) for r in rows if r.name.startswith(prefix)]


def all_in_region(conn: Connection, account_id: str, region: str) -> list[Queue]:
    return listing(conn, account_id, region, "")


class QueueCache:
    """Queues by (account, region, name), read at most TTL_S ago. A drop during a read wins:
    the read's answer is not kept."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str, str], tuple[float, Queue | None]] = {}
        self._dropped: dict[tuple[str, str, str], float] = {}
        self._lock = threading.Lock()

    def get(self, conn_factory: Any, key: tuple[str, str, str]) -> Queue:
        entry = self._entries.get(key)
        now = time.monotonic()
        if entry is not None and now - entry[0] <= TTL_S:
            queue = entry[1]
        else:
            with conn_factory() as conn:
                queue = get(conn, *key)
            with self._lock:
                if self._dropped.get(key, 0.0) < now:
                    self._entries[key] = (now, queue)
        if queue is None:
            raise queue_does_not_exist()
        return queue

    def drop(self, key: tuple[str, str, str]) -> None:
        with self._lock:
            self._entries.pop(key, None)
            self._dropped[key] = time.monotonic()
            if len(self._dropped) > 10_000:  # an old drop time matters for one read at most
                self._dropped.clear()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._dropped.clear()
