"""FIFO queues: the parameters a FIFO send needs, and deduplication within 5 minutes.

A duplicate (same MessageDeduplicationId, or same body's SHA-256 with
ContentBasedDeduplication, within the interval) is answered as a success with the original's
MessageId and SequenceNumber, and not enqueued again. With DeduplicationScope messageGroup
the same id in two groups is two messages.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.services.sqs.errors import invalid_parameter, missing_parameter
from lamina.services.sqs.queues import Queue
from lamina.store.schema import sqs_deduplication

INTERVAL_S = 300.0
_TOKEN = re.compile(r"[A-Za-z0-9!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]{1,128}")
_NOT_FOR_QUEUE = "The request include parameter that is not valid for this queue type."


def check_token(name: str, value: str) -> None:
    if not _TOKEN.fullmatch(value):
        raise invalid_parameter(
            f"Value {value} for parameter {name} is invalid. Reason: {name} can only include "
            "alphanumeric and punctuation characters. 1 to 128 in length."
        )


def send_parameters(queue: Queue, entry: dict[str, Any]) -> tuple[str | None, str | None]:
    """(MessageGroupId, MessageDeduplicationId) of a send, checked for the queue's kind."""
    group = entry.get("MessageGroupId")
    dedup = entry.get("MessageDeduplicationId")
    if not queue.fifo:
        if dedup is not None:
            raise invalid_parameter(
                f"Value {dedup} for parameter MessageDeduplicationId is invalid. Reason: "
                f"{_NOT_FOR_QUEUE}"
            )
        if group is not None:  # fair queues: a group on a standard queue is allowed
            check_token("MessageGroupId", group)
        return group, None
    if entry.get("DelaySeconds") is not None:
        raise invalid_parameter(
            f"Value {entry['DelaySeconds']} for parameter DelaySeconds is invalid. Reason: "
            f"{_NOT_FOR_QUEUE}"
        )
    if group is None:
        raise missing_parameter("MessageGroupId")
    check_token("MessageGroupId", group)
    if dedup is None:
        if queue.values.get("ContentBasedDeduplication") != "true":
            raise invalid_parameter(
                "The queue should either have ContentBasedDeduplication enabled or "
                "MessageDeduplicationId provided explicitly"
            )
        dedup = hashlib.sha256(entry["MessageBody"].encode("utf-8")).hexdigest()
    else:
        check_token("MessageDeduplicationId", dedup)
    return group, dedup


def scope_of(queue: Queue, group: str | None) -> str:
    return (group or "") if queue.values.get("DeduplicationScope") == "messageGroup" else ""


def duplicate_of(
    conn: Connection, queue: Queue, scope: str, dedup_id: str, now: float
) -> tuple[str, str | None] | None:
    """(MessageId, SequenceNumber) of the message this one duplicates, if any."""
    d = sqs_deduplication
    key = (d.c.queue_id == queue.id, d.c.scope == scope, d.c.dedup_id == dedup_id)
    found = conn.execute(
        sa.select(d.c.message_id, d.c.sequence_number, d.c.expires_at).where(*key)
    ).first()
    if found is None:
        return None
    if found.expires_at > now:
        return found.message_id, found.sequence_number
    conn.execute(d.delete().where(*key))
    return None


def remember(
    conn: Connection,
    queue: Queue,
    scope: str,
    dedup_id: str,
    message_id: str,
    sequence: str,
    now: float,
) -> None:
    conn.execute(
        sqs_deduplication.insert().values(
            queue_id=queue.id,
            scope=scope,
            dedup_id=dedup_id,
            message_id=message_id,
            sequence_number=sequence,
            expires_at=now + INTERVAL_S,
        )
    )
