"""Dead-letter queues: RedrivePolicy and RedriveAllowPolicy, and moving a message that was
received more than maxReceiveCount times to its dead-letter queue, at its next receive (as
AWS does). A moved message keeps its id, body, attributes and sender, and gains
DeadLetterQueueSourceArn; its SentTimestamp is kept on a standard queue and reset on a FIFO
one (AWS's rule for retention). Its receive count starts again at 0 in the dead-letter queue
(Lamina's choice: AWS does not document it), so a redriven message is not at once dead again."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.engine import Connection

from lamina.services.sqs import queues
from lamina.services.sqs.errors import invalid_parameter
from lamina.services.sqs.messages import from_row, insert
from lamina.services.sqs.queues import Queue
from lamina.services.sqs.urls import parse_queue_arn
from lamina.store.schema import sqs_messages

PERMISSIONS = ("allowAll", "denyAll", "byQueue")
MAX_SOURCE_ARNS = 10


def _invalid(name: str, value: str, reason: str) -> Exception:
    return invalid_parameter(f"Value {value} for parameter {name} is invalid. Reason: {reason}")


def check_redrive_policy(conn: Connection, queue_arn: str, fifo: bool, text: str) -> None:
    """A RedrivePolicy's target must exist, be of the source's kind and allow it."""
    if text == "":
        return
    policy = json.loads(text)
    target = policy.get("deadLetterTargetArn")
    count = policy.get("maxReceiveCount")
    if not target or count is None:
        raise _invalid(
            "RedrivePolicy",
            text,
            "Redrive policy does not contain mandatory attribute: "
            + ("deadLetterTargetArn." if not target else "maxReceiveCount."),
        )
    extra = set(policy) - {"deadLetterTargetArn", "maxReceiveCount"}
    if extra:
        raise _invalid("RedrivePolicy", text, "Only following attributes are supported: "
                       "[deadLetterTargetArn, maxReceiveCount].")  # fmt: skip
    bad_count = _invalid(
        "RedrivePolicy",
        text,
        f"Invalid value for maxReceiveCount: {count}, valid values are from 1 to 1000 both "
        "inclusive.",
    )
    try:
        number = int(count)
    except (TypeError, ValueError):
        raise bad_count from None
    if not 1 <= number <= 1000:
        raise bad_count
    try:
        region, account, name = parse_queue_arn(str(target), "RedrivePolicy")
    except Exception:
        raise _invalid("RedrivePolicy", text, "Invalid value for deadLetterTargetArn.") from None
    dlq = queues.get(conn, account, region, name)
    if dlq is None:
        raise _invalid("RedrivePolicy", text, "Dead letter target does not exist.")
    if dlq.fifo != fifo:
        raise _invalid(
            "RedrivePolicy", text, "Dead-letter queue must be same type of queue as the source."
        )
    if not allows(dlq, queue_arn):
        raise _invalid(
            "RedrivePolicy",
            text,
            f"Queue {dlq.arn} does not allow {queue_arn} to use it as a dead-letter queue.",
        )


def allows(dlq: Queue, source_arn: str) -> bool:
    text = dlq.stored.get("RedriveAllowPolicy")
    if not text:
        return True
    policy = json.loads(text)
    permission = policy.get("redrivePermission")
    if permission == "denyAll":
        return False
    if permission == "byQueue":
        return source_arn in policy.get("sourceQueueArns", [])
    return True


def check_redrive_allow_policy(text: str) -> None:
    if text == "":
        return
    policy = json.loads(text)
    permission = policy.get("redrivePermission")
    if permission not in PERMISSIONS:
        raise _invalid("RedriveAllowPolicy", text, "Invalid value for redrivePermission.")
    arns = policy.get("sourceQueueArns")
    if permission == "byQueue":
        if not isinstance(arns, list) or not arns:
            raise _invalid("RedriveAllowPolicy", text, "Source queue ARNs are required for "
                           "byQueue redrive permission.")  # fmt: skip
        if len(arns) > MAX_SOURCE_ARNS:
            raise _invalid("RedriveAllowPolicy", text, "Number of source queues cannot be "
                           f"greater than {MAX_SOURCE_ARNS}.")  # fmt: skip
    elif arns is not None:
        raise _invalid("RedriveAllowPolicy", text, "Source queue ARNs are only allowed for "
                       "byQueue redrive permission.")  # fmt: skip


def target(conn: Connection, queue: Queue, policy: dict[str, Any]) -> Queue | None:
    try:
        region, account, name = parse_queue_arn(str(policy["deadLetterTargetArn"]))
    except Exception:
        return None
    return queues.get(conn, account, region, name)


def dead_letter(
    conn: Connection, queue: Queue, policy: dict[str, Any], rows: list[Any], now: float
) -> list[Any]:
    """Moves the rows received maxReceiveCount times already; the others, to be received."""
    limit = int(policy.get("maxReceiveCount", 10))
    spent = [row for row in rows if row.receive_count >= limit]
    if not spent:
        return rows
    dlq = target(conn, queue, policy)
    if dlq is None:  # the dead-letter queue is gone: the messages stay where they are
        return rows
    move(conn, spent, dlq, queue.arn, now)
    return [row for row in rows if row.receive_count < limit]


def move(conn: Connection, rows: list[Any], to: Queue, source_arn: str | None, now: float) -> None:
    """Into `to`, out of where they were; `source_arn` None: back where they came from."""
    moved = []
    for row in rows:
        message = from_row(row)
        message.visible_at = now
        message.receive_count, message.first_received_at = 0, None
        message.source_arn = source_arn
        if to.fifo:
            message.sent_at = int(now * 1000)
        moved.append(message)
    insert(conn, to.id, moved)
    conn.execute(sqs_messages.delete().where(sqs_messages.c.id.in_([r.id for r in rows])))


def sources(conn: Connection, dlq: Queue) -> list[Queue]:
    """The queues of the dead-letter queue's account and region that name it as theirs."""
    found = []
    for queue in queues.all_in_region(conn, dlq.account_id, dlq.region):
        policy = queue.redrive
        if policy and policy.get("deadLetterTargetArn") == dlq.arn:
            found.append(queue)
    return found
