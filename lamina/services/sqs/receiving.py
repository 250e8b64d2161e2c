"""ReceiveMessage's work in one transaction: choose visible messages, move those received too
often to the dead-letter queue, hide the rest for the visibility timeout under new receipts.

Standard queues hand out any visible messages, oldest-visible first. FIFO queues hand out
messages in order within a message group, and none of a group while any of it is in flight.
On PostgreSQL the rows are locked with SKIP LOCKED, so the nodes of a fleet take different
messages; a FIFO receive locks its queue's row, so two nodes never split one group.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.services.sqs import digests, receipts, redrive
from lamina.services.sqs.messages import message_attributes, system_attributes
from lamina.services.sqs.queues import Queue
from lamina.store.prepared import Prepared, PreparedSelect
from lamina.store.schema import sqs_messages, sqs_queues, sqs_receive_attempts

m = sqs_messages
ATTEMPT_S = 300.0  # a ReceiveRequestAttemptId is remembered for 5 minutes

_HIDE = Prepared(
    m.update()
    .where(m.c.id == sa.bindparam("b_id"))
    .values(
        visible_at=sa.bindparam("b_visible_at"),
        receive_count=m.c.receive_count + sa.literal_column("1"),  # no value to merge per row
        receipt=sa.bindparam("b_token"),
        first_received_at=sa.func.coalesce(m.c.first_received_at, sa.bindparam("b_now_ms")),
    )
)


@dataclass
class Receive:
    queue: Queue
    max_messages: int
    visibility_s: int
    system_names: set[str]
    attribute_names: list[str]
    attempt_id: str | None = None


def oldest_kept(queue: Queue, now: float) -> int:
    """The earliest SentTimestamp (ms) a message may have and still be in the queue."""
    return int((now - queue.number("MessageRetentionPeriod")) * 1000)


def receive(conn: Connection, request: Receive, postgres: bool) -> list[dict[str, Any]]:
    queue = request.queue
    now = time.time()
    if request.attempt_id is not None:
        again = _retried(conn, request, now)
        if again is not None:
            return again
    if postgres and queue.fifo:
        conn.execute(
            sa.select(sqs_queues.c.id).where(sqs_queues.c.id == queue.id).with_for_update()
        )
    rows = _candidates(conn, request, now)
    policy = queue.redrive
    if policy is not None:
        rows = redrive.dead_letter(conn, queue, policy, rows, now)
    if not rows:
        return []
    now_ms = int(now * 1000)
    until = now + request.visibility_s
    hidden = [
        {"b_id": row.id, "b_visible_at": until, "b_token": token, "b_now_ms": now_ms}
        for row, token in zip(rows, receipts.new_tokens(len(rows)), strict=True)
    ]
    _HIDE.run(conn, hidden)
    if request.attempt_id is not None:
        _remember(conn, request, [(h["b_id"], h["b_token"]) for h in hidden], now)
    return [
        present(queue, r, h["b_token"], request, r.receive_count + 1, r.first_received_at or now_ms)
        for r, h in zip(rows, hidden, strict=True)
    ]


# What a receive reads of a message that it answers with no attributes and that no dead-letter
# queue may take: the driver fetches each column of each row on its own.
_ANSWERED = ("id", "message_id", "body", "md5_body", "receive_count", "first_received_at")


def _choose(fifo: bool, postgres: bool, whole: bool) -> sa.Select[Any]:
    query = (sa.select(m) if whole else sa.select(*(m.c[name] for name in _ANSWERED))).where(
        m.c.queue_id == sa.bindparam("b_queue"),
        m.c.visible_at <= sa.bindparam("b_now"),
        m.c.sent_at >= sa.bindparam("b_oldest"),
    )
    if fifo:
        in_flight = (
            sa.select(m.c.group_id)
            .where(
                m.c.queue_id == sa.bindparam("b_queue"),
                m.c.visible_at > sa.bindparam("b_now"),
                m.c.receive_count > 0,
            )
            .scalar_subquery()
        )
        query = query.where(m.c.group_id.not_in(in_flight)).order_by(m.c.id)
    else:
        query = query.order_by(m.c.visible_at, m.c.id)
    query = query.limit(sa.bindparam("b_limit"))
    if postgres:
        query = query.with_for_update(skip_locked=True, of=m)
    return query


# Built once per (fifo, whole rows): a receive's query is the same but for its values. On SQLite
# the driver runs it (Core's execution costs more than SQLite's work); PostgreSQL's locks rows.
_CHOOSE = {
    (fifo, whole): PreparedSelect(_choose(fifo, False, whole), _choose(fifo, True, whole))
    for fifo in (False, True)
    for whole in (False, True)
}


def _candidates(conn: Connection, request: Receive, now: float) -> list[Any]:
    queue = request.queue
    values = {"b_queue": queue.id, "b_now": now, "b_oldest": oldest_kept(queue, now)}
    values["b_limit"] = request.max_messages
    # Whole rows for what present() reads of them and for redrive.move(), which stores them anew.
    whole = bool(queue.redrive is not None or request.system_names or request.attribute_names)
    return _CHOOSE[(queue.fifo, whole)].rows(conn, values)


def present(
    queue: Queue,
    row: Any,
    token: str,
    request: Receive,
    receive_count: int,
    first_received_at: int,
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "MessageId": row.message_id,
        "ReceiptHandle": receipts.encode(queue.id, row.id, token),
        "MD5OfBody": row.md5_body,
        "Body": row.body,
    }
    if request.system_names:
        attributes = system_attributes(
            row, request.system_names, queue.fifo, receive_count, first_received_at
        )
        if attributes:
            message["Attributes"] = attributes
    if request.attribute_names:
        chosen = message_attributes(row, request.attribute_names)
        if chosen:
            message["MessageAttributes"] = chosen
            message["MD5OfMessageAttributes"] = digests.md5_of_attributes(chosen)
    return message


# -- FIFO: a retried receive (same ReceiveRequestAttemptId) gets the same messages -----------


def _retried(conn: Connection, request: Receive, now: float) -> list[dict[str, Any]] | None:
    a = sqs_receive_attempts
    found = conn.execute(
        sa.select(a.c.received, a.c.expires_at).where(
            a.c.queue_id == request.queue.id, a.c.attempt_id == request.attempt_id
        )
    ).first()
    if found is None or found.expires_at < now:
        return None
    received = {int(row_id): token for row_id, token in json.loads(found.received)}
    if not received:
        return None
    rows = conn.execute(
        sa.select(m).where(m.c.id.in_(list(received)), m.c.visible_at > now).order_by(m.c.id)
    ).all()
    # Only while every message is still in flight under that receive: else a new receive.
    if len(rows) != len(received) or any(r.receipt != received[r.id] for r in rows):
        return None
    return [
        present(request.queue, r, r.receipt, request, r.receive_count, r.first_received_at)
        for r in rows
    ]


def _remember(
    conn: Connection, request: Receive, received: list[tuple[int, str]], now: float
) -> None:
    a = sqs_receive_attempts
    conn.execute(
        a.delete().where(a.c.queue_id == request.queue.id, a.c.attempt_id == request.attempt_id)
    )
    conn.execute(
        a.insert().values(
            queue_id=request.queue.id,
            attempt_id=request.attempt_id,
            received=json.dumps(received),
            expires_at=now + ATTEMPT_S,
        )
    )
