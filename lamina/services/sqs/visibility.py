"""Receiving, deleting and changing the visibility of messages.

ReceiveMessage with WaitTimeSeconds waits on the event loop: it answers the moment a message
is sent through this node (Waiters) and looks at the store at least once a second. Deleting
with an older receipt handle of a message received again since succeeds and deletes nothing,
as AWS documents for DeleteMessage; changing visibility needs the latest receipt handle.
"""

from __future__ import annotations

import asyncio
import functools
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.context import RequestContext
from lamina.protocol.errors import ServiceError
from lamina.services.sqs import receipts, receiving
from lamina.services.sqs.base import SqsBase
from lamina.services.sqs.batches import check_entries, failure
from lamina.services.sqs.errors import (
    invalid_parameter,
    message_not_inflight,
    receipt_handle_invalid,
)
from lamina.services.sqs.messages import wanted_system
from lamina.services.sqs.queues import Queue
from lamina.store.prepared import Prepared
from lamina.store.schema import sqs_messages

m = sqs_messages
MAX_VISIBILITY_S = 43_200
# Built once: the hot statements' building and keying would cost more than running them.
_HELD = sa.select(m.c.receipt, m.c.visible_at).where(m.c.id == sa.bindparam("b_id"))
_HIDE = m.update().where(m.c.id == sa.bindparam("b_id")).values(visible_at=sa.bindparam("b_until"))
_VISIBLE = (
    sa.select(m.c.id)
    .where(
        m.c.queue_id == sa.bindparam("b_queue"),
        m.c.visible_at <= sa.bindparam("b_now"),
        m.c.sent_at >= sa.bindparam("b_oldest"),
    )
    .limit(1)
)


def _between(name: str, value: int, low: int, high: int) -> int:
    """AWS's words: 'Must be between 1 and 10' for MaxNumberOfMessages, '>= 0 and <= 20' for
    WaitTimeSeconds (and VisibilityTimeout)."""
    if not low <= value <= high:
        reason = (
            f"Must be between {low} and {high}, if provided."
            if name == "MaxNumberOfMessages"
            else f"Must be >= {low} and <= {high}, if provided."
        )
        raise invalid_parameter(f"Value {value} for parameter {name} is invalid. Reason: {reason}")
    return value


class VisibilityOperations(SqsBase):
    async def receive_message(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        queue = await self.queue_of(ctx, params["QueueUrl"])
        count = _between("MaxNumberOfMessages", params.get("MaxNumberOfMessages", 1), 1, 10)
        visibility = params.get("VisibilityTimeout")
        if visibility is None:
            visibility = queue.number("VisibilityTimeout")
        _between("VisibilityTimeout", visibility, 0, MAX_VISIBILITY_S)
        wait = params.get("WaitTimeSeconds")
        if wait is None:
            wait = queue.number("ReceiveMessageWaitTimeSeconds")
        _between("WaitTimeSeconds", wait, 0, 20)
        names = list(params.get("AttributeNames") or []) + list(
            params.get("MessageSystemAttributeNames") or []
        )
        # ReceiveRequestAttemptId applies to FIFO queues only; AWS ignores it on others.
        attempt = params.get("ReceiveRequestAttemptId") if queue.fifo else None
        request = receiving.Receive(
            queue,
            count,
            visibility,
            wanted_system(names),
            list(params.get("MessageAttributeNames") or []),
            attempt,
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        first = True
        while True:
            if first or attempt is not None or await self._something_visible(queue):
                first = False
                work = lambda conn: receiving.receive(conn, request, self.postgres)  # noqa: E731
                messages = await self.writer.write(work)
                if messages:
                    return {"Messages": messages}
            remaining = deadline - loop.time()
            if remaining <= 0:
                return {}
            await self.waiters.wait(queue.id, remaining)

    async def _something_visible(self, queue: Queue) -> bool:
        """A read first: an empty queue's long poll costs no write transactions."""
        now = time.time()
        values = {"b_queue": queue.id, "b_now": now, "b_oldest": receiving.oldest_kept(queue, now)}

        def read() -> bool:
            with self.store.read() as conn:
                return conn.execute(_VISIBLE, values).first() is not None

        return read() if not self.store.reads_wait else await self.off_loop(read)

    # -- deleting --------------------------------------------------------------------------

    async def delete_message(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        queue = await self.queue_of(ctx, params["QueueUrl"])
        target = _handle(queue, params["ReceiptHandle"])
        await self.writer.write(lambda conn: _delete(conn, [target]))
        return {}

    async def delete_message_batch(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        queue = await self.queue_of(ctx, params["QueueUrl"])
        entries = params["Entries"]
        check_entries(entries, "DeleteMessageBatchRequestEntry")
        successful, failed, targets = [], [], []
        for entry in entries:
            try:
                targets.append((entry["Id"], _handle(queue, entry["ReceiptHandle"])))
            except ServiceError as error:
                failed.append(failure(entry["Id"], error))

        if targets:
            chosen = [target for _, target in targets]
            await self.writer.write(lambda conn: _delete(conn, chosen))
        successful = [{"Id": entry_id} for entry_id, _ in targets]
        return {"Successful": successful, "Failed": failed}

    # -- visibility ------------------------------------------------------------------------

    async def change_message_visibility(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        queue = await self.queue_of(ctx, params["QueueUrl"])
        handle = params["ReceiptHandle"]
        target = _handle(queue, handle)
        timeout = _visibility(params["VisibilityTimeout"])
        error = await self.writer.write(lambda conn: _change(conn, target, timeout, handle))
        if error is not None:
            raise error
        if timeout == 0:
            self.waiters.notify(queue.id)  # visible again: a waiting receive may take it
        return {}

    async def change_message_visibility_batch(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        queue = await self.queue_of(ctx, params["QueueUrl"])
        entries = params["Entries"]
        check_entries(entries, "ChangeMessageVisibilityBatchRequestEntry")
        failed: list[dict[str, Any]] = []
        todo: list[tuple[str, tuple[int, str], int, str]] = []
        for entry in entries:
            try:
                handle = entry["ReceiptHandle"]
                timeout = _visibility(entry.get("VisibilityTimeout", 0))
                todo.append((entry["Id"], _handle(queue, handle), timeout, handle))
            except ServiceError as error:
                failed.append(failure(entry["Id"], error))

        def work(conn: Connection) -> list[tuple[str, ServiceError | None]]:
            return [(i, _change(conn, target, t, h)) for i, target, t, h in todo]

        outcomes = await self.writer.write(work) if todo else []
        visible_again = sum(1 for _, _, t, _ in todo if t == 0)
        if visible_again:
            self.waiters.notify(queue.id, visible_again)
        successful = []
        for entry_id, problem in outcomes:
            if problem is None:
                successful.append({"Id": entry_id})
            else:
                failed.append(failure(entry_id, problem))
        return {"Successful": successful, "Failed": failed}


def _handle(queue: Queue, handle: str) -> tuple[int, str]:
    queue_id, row_id, token = receipts.decode(handle)
    if queue_id != queue.id:
        raise receipt_handle_invalid(handle)
    return row_id, token


def _visibility(value: int) -> int:
    if not 0 <= value <= MAX_VISIBILITY_S:
        raise invalid_parameter(
            f"Value {value} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 "
            f"and <= {MAX_VISIBILITY_S}, if provided."
        )
    return value


def _delete(conn: Connection, targets: list[tuple[int, str]]) -> None:
    """Each (row, token) pair's message, if that receive is still its latest: one statement
    for a batch, which deletes what one statement per handle would."""
    statement, names = _deleting(len(targets))
    statement.run(conn, [dict(zip(names, [v for target in targets for v in target], strict=True))])


@functools.cache
def _deleting(count: int) -> tuple[Prepared, list[str]]:
    """DELETE … WHERE (id = ? AND receipt = ?) OR …, for `count` handles; and its values' names."""
    names = [name for i in range(count) for name in (f"b_id{i}", f"b_token{i}")]
    pairs = [
        sa.and_(m.c.id == sa.bindparam(f"b_id{i}"), m.c.receipt == sa.bindparam(f"b_token{i}"))
        for i in range(count)
    ]
    return Prepared(m.delete().where(sa.or_(*pairs))), names


def _change(
    conn: Connection, target: tuple[int, str], timeout: int, handle: str
) -> ServiceError | None:
    row_id, token = target
    now = time.time()
    row = conn.execute(sa.select(m.c.receipt, m.c.visible_at).where(m.c.id == row_id)).first()
    if row is None or row.receipt != token:
        return invalid_parameter(
            f"Value {handle} for parameter ReceiptHandle is invalid. Reason: Message does not "
            "exist or is not available for visibility timeout change."
        )
    if row.visible_at <= now:
        return message_not_inflight()
    conn.execute(_HIDE, {"b_id": row_id, "b_until": now + timeout})
    return None
