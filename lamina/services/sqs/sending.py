"""SendMessage and SendMessageBatch: checked, durable in the store (group commit), then
answered; a ReceiveMessage waiting on the queue wakes at once."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from lamina.context import RequestContext
from lamina.protocol.errors import ServiceError
from lamina.services.sqs import contents, fifo
from lamina.services.sqs.base import SqsBase
from lamina.services.sqs.batches import check_entries, failure
from lamina.services.sqs.errors import invalid_parameter, queue_does_not_exist
from lamina.services.sqs.messages import Outgoing, insert, insert_one, outgoing, sequence_number
from lamina.services.sqs.queues import Queue

BATCH_LIMIT = 1_048_576  # bytes, the sum of a batch's messages (AWS's, since August 2025)


class Accepted:
    """A checked message and what its send answers."""

    __slots__ = ("dedup_scope", "message", "result")

    def __init__(self, message: Outgoing, result: dict[str, Any], dedup_scope: str) -> None:
        self.message = message
        self.result = result
        self.dedup_scope = dedup_scope


class SendOperations(SqsBase):
    async def send_message(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        queue = await self.queue_of(ctx, params["QueueUrl"])
        accepted = self._accept(ctx, queue, params, time.time())
        await self._write(queue, [accepted])
        return accepted.result

    async def send_message_batch(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        queue = await self.queue_of(ctx, params["QueueUrl"])
        entries = params["Entries"]
        check_entries(entries, "SendMessageBatchRequestEntry")
        total = sum(_size(entry) for entry in entries)
        if total > BATCH_LIMIT:
            raise ServiceError(
                "BatchRequestTooLong",
                f"Batch requests cannot be longer than {BATCH_LIMIT} bytes. You have sent "
                f"{total} bytes.",
            )
        now = time.time()
        accepted: list[tuple[str, Accepted]] = []
        failed: list[dict[str, Any]] = []
        for entry in entries:
            try:
                accepted.append((entry["Id"], self._accept(ctx, queue, entry, now)))
            except ServiceError as error:
                failed.append(failure(entry["Id"], error))
        if accepted:
            await self._write(queue, [a for _, a in accepted])
        return {
            "Successful": [{"Id": entry_id, **a.result} for entry_id, a in accepted],
            "Failed": failed,
        }

    def _accept(
        self, ctx: RequestContext, queue: Queue, entry: dict[str, Any], now: float
    ) -> Accepted:
        body = entry["MessageBody"]
        contents.check_body(body)
        attributes = entry.get("MessageAttributes") or {}
        system = entry.get("MessageSystemAttributes") or {}
        size = len(body.encode("utf-8"))
        if attributes:
            size += contents.check_attributes(attributes)
        if system:
            size += contents.check_system_attributes(system)
        limit = queue.number("MaximumMessageSize")
        if size > limit:
            raise invalid_parameter(
                "One or more parameters are invalid. Reason: Message must be shorter than "
                f"{limit} bytes."
            )
        delay = entry.get("DelaySeconds")
        if delay is not None and not 0 <= delay <= 900:
            raise invalid_parameter(
                f"Value {delay} for parameter DelaySeconds is invalid. Reason: DelaySeconds "
                "must be >= 0 and <= 900."
            )
        group, dedup = fifo.send_parameters(queue, entry)
        if delay is None:
            delay = queue.number("DelaySeconds")
        message = outgoing(body, attributes, system, ctx.identity.user_id, now, delay, group, dedup)
        result: dict[str, Any] = {
            "MessageId": message.message_id,
            "MD5OfMessageBody": message.md5_body,
        }
        if message.md5_attributes:
            result["MD5OfMessageAttributes"] = message.md5_attributes
        if message.md5_system:
            result["MD5OfMessageSystemAttributes"] = message.md5_system
        return Accepted(message, result, fifo.scope_of(queue, group) if queue.fifo else "")

    async def _write(self, queue: Queue, accepted: list[Accepted]) -> None:
        if queue.fifo:
            work = lambda conn: _write_fifo(conn, queue, accepted)  # noqa: E731
        else:
            work = lambda conn: insert(conn, queue.id, [a.message for a in accepted])  # noqa: E731
        try:
            await self.writer.write(work)
        except IntegrityError:
            # The queue's row is gone (deleted on this or another node since it was cached).
            self.changed(queue)
            raise queue_does_not_exist() from None
        self.waiters.notify(queue.id, len(accepted))


def _write_fifo(conn: Connection, queue: Queue, accepted: list[Accepted]) -> None:
    now = time.time()
    for item in accepted:
        message = item.message
        assert message.dedup_id is not None
        original = fifo.duplicate_of(conn, queue, item.dedup_scope, message.dedup_id, now)
        if original is not None:
            item.result["MessageId"], sequence = original
            if sequence:
                item.result["SequenceNumber"] = sequence
            continue
        sequence = sequence_number(insert_one(conn, queue.id, message))
        fifo.remember(
            conn, queue, item.dedup_scope, message.dedup_id, message.message_id, sequence, now
        )
        item.result["SequenceNumber"] = sequence


def _size(entry: dict[str, Any]) -> int:
    size = len(entry.get("MessageBody", "").encode("utf-8"))
    for name, value in (entry.get("MessageAttributes") or {}).items():
        size += len(name.encode()) + len(str(value.get("DataType", "")).encode())
        size += len(str(value.get("StringValue") or "").encode())
        size += len(bytes(value.get("BinaryValue") or b""))
    return size
