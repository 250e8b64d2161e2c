"""Messages in the store: what a send writes, and what a receive answers with."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from lamina import ids
from lamina.services.sqs import digests
from lamina.store.prepared import Prepared
from lamina.store.schema import sqs_messages

# FIFO sequence numbers: 20 digits, increasing within a queue (a message row's id, offset).
_SEQUENCE_BASE = 10**19


def sequence_number(row_id: int) -> str:
    return str(_SEQUENCE_BASE + row_id)


@dataclass
class Outgoing:
    """A message accepted by a send, as it will be stored."""

    message_id: str
    body: str
    attributes: dict[str, dict[str, Any]] | None
    system: dict[str, dict[str, Any]] | None
    md5_body: str
    md5_attributes: str | None
    md5_system: str | None
    sender_id: str
    sent_at: int  # ms
    visible_at: float
    group_id: str | None = None
    dedup_id: str | None = None
    source_arn: str | None = None
    receive_count: int = 0
    first_received_at: int | None = None

    def row(self, queue_id: int) -> dict[str, Any]:
        return {
            "queue_id": queue_id,
            "message_id": self.message_id,
            "body": self.body,
            "attributes": _dump(self.attributes),
            "system_attributes": _dump(self.system),
            "md5_body": self.md5_body,
            "md5_attributes": self.md5_attributes,
            "md5_system": self.md5_system,
            "sender_id": self.sender_id,
            "sent_at": self.sent_at,
            "visible_at": self.visible_at,
            "receive_count": self.receive_count,
            "first_received_at": self.first_received_at,
            "receipt": None,
            "group_id": self.group_id,
            "dedup_id": self.dedup_id,
            "source_arn": self.source_arn,
        }


def outgoing(
    body: str,
    attributes: dict[str, dict[str, Any]] | None,
    system: dict[str, dict[str, Any]] | None,
    sender_id: str,
    now: float,
    delay_s: int,
    group_id: str | None = None,
    dedup_id: str | None = None,
) -> Outgoing:
    return Outgoing(
        message_id=ids.request_id(),
        body=body,
        attributes=attributes or None,
        system=system or None,
        md5_body=digests.md5_of_body(body),
        md5_attributes=digests.md5_of_attributes(attributes) if attributes else None,
        md5_system=digests.md5_of_attributes(system) if system else None,
        sender_id=sender_id,
        sent_at=int(now * 1000),
        visible_at=now + delay_s,
        group_id=group_id,
        dedup_id=dedup_id,
    )


def from_row(row: Any) -> Outgoing:
    """A stored message, to be written elsewhere (a dead-letter queue, a move task's target)."""
    return Outgoing(
        message_id=row.message_id,
        body=row.body,
        attributes=_load(row.attributes),
        system=_load(row.system_attributes),
        md5_body=row.md5_body,
        md5_attributes=row.md5_attributes,
        md5_system=row.md5_system,
        sender_id=row.sender_id,
        sent_at=row.sent_at,
        visible_at=0.0,
        group_id=row.group_id,
        dedup_id=row.dedup_id,
        source_arn=row.source_arn,
        receive_count=row.receive_count,
        first_received_at=row.first_received_at,
    )


def _dump(attributes: dict[str, dict[str, Any]] | None) -> str | None:
    if not attributes:
        return None
    stored = {}
    for name, value in attributes.items():
        item = {"DataType": value["DataType"]}
        if value.get("BinaryValue") is not None:
            item["BinaryValue"] = base64.b64encode(bytes(value["BinaryValue"])).decode()
        else:
            item["StringValue"] = value["StringValue"]
        stored[name] = item
    return json.dumps(stored, separators=(",", ":"))


def _load(text: str | None) -> dict[str, dict[str, Any]] | None:
    if not text:
        return None
    attributes = json.loads(text)
    for value in attributes.values():
        if "BinaryValue" in value:
            value["BinaryValue"] = base64.b64decode(value["BinaryValue"])
    return dict(attributes)


# Statements a busy queue runs are built once: building and keying one costs more than running it.
_INSERT = sqs_messages.insert()
_COLUMNS = [
    "queue_id", "message_id", "body", "attributes", "system_attributes", "md5_body",
    "md5_attributes", "md5_system", "sender_id", "sent_at", "visible_at", "receive_count",
    "first_received_at", "receipt", "group_id", "dedup_id", "source_arn",
]  # fmt: skip  # what Outgoing.row gives
_INSERT_MANY = Prepared(_INSERT, _COLUMNS)


def insert(conn: sa.engine.Connection, queue_id: int, messages: list[Outgoing]) -> None:
    _INSERT_MANY.run(conn, [m.row(queue_id) for m in messages])


def insert_one(conn: sa.engine.Connection, queue_id: int, message: Outgoing) -> int:
    """The new row's id (a FIFO message's sequence number comes from it)."""
    result = conn.execute(_INSERT, message.row(queue_id))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


# -- what a receive answers ---------------------------------------------------------------

SYSTEM_NAMES = (
    "SenderId",
    "SentTimestamp",
    "ApproximateReceiveCount",
    "ApproximateFirstReceiveTimestamp",
    "SequenceNumber",
    "MessageDeduplicationId",
    "MessageGroupId",
    "AWSTraceHeader",
    "DeadLetterQueueSourceArn",
)


def system_attributes(
    row: Any, wanted: set[str], fifo: bool, receive_count: int, first_received_at: int
) -> dict[str, str]:
    values: dict[str, str | None] = {
        "SenderId": row.sender_id,
        "SentTimestamp": str(row.sent_at),
        "ApproximateReceiveCount": str(receive_count),
        "ApproximateFirstReceiveTimestamp": str(first_received_at),
        "SequenceNumber": sequence_number(row.id) if fifo else None,
        "MessageDeduplicationId": row.dedup_id if fifo else None,
        "MessageGroupId": row.group_id,
        "AWSTraceHeader": None,
        "DeadLetterQueueSourceArn": row.source_arn,
    }
    system = _load(row.system_attributes)
    if system and "AWSTraceHeader" in system:
        values["AWSTraceHeader"] = system["AWSTraceHeader"]["StringValue"]
    return {k: v for k, v in values.items() if k in wanted and v is not None}


def wanted_system(names: list[str]) -> set[str]:
    if "All" in names:
        return set(SYSTEM_NAMES)
    return {n for n in names if n in SYSTEM_NAMES}


def message_attributes(row: Any, names: list[str]) -> dict[str, dict[str, Any]]:
    """The attributes MessageAttributeNames asks for: 'All', '.*', 'prefix.*' or names."""
    if not names or not row.attributes:
        return {}
    attributes = _load(row.attributes) or {}
    if "All" in names or ".*" in names:
        return attributes
    prefixes = tuple(n[:-1] for n in names if n.endswith(".*"))
    exact = set(names)
    return {
        name: value
        for name, value in attributes.items()
        if name in exact or (prefixes and name.startswith(prefixes))
    }
