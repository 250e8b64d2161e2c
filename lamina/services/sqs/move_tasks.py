"""StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask: moving the messages of a
dead-letter queue back to their source queues, or to one DestinationArn.

A task is accepted work: its row is in the store before StartMessageMoveTask answers. The
node running it holds a lease on the row, renewed as it moves; a task whose node died (or was
restarted) is taken up again by any node once the lease ran out, and carries on where the
count left off (AWS does not say what becomes of its tasks; Lamina resumes them). Messages
move at MaxNumberOfMessagesPerSecond (500 when not given), each in the transaction that also
counts it, so a message is never both moved and still there, nor counted twice.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import os
import time
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.context import RequestContext
from lamina.protocol.errors import ServiceError
from lamina.services.sqs import queues, redrive
from lamina.services.sqs.base import SqsBase
from lamina.services.sqs.errors import invalid_parameter, unsupported
from lamina.services.sqs.queues import Queue
from lamina.services.sqs.urls import parse_queue_arn
from lamina.store.schema import sqs_messages, sqs_move_tasks

log = logging.getLogger("lamina.sqs.move")
t = sqs_move_tasks
m = sqs_messages

RUNNING, COMPLETED, CANCELLED, FAILED = "RUNNING", "COMPLETED", "CANCELLED", "FAILED"
CANCELLING = "CANCELLING"
DEFAULT_RATE = 500
LEASE_S = 15.0
TICK_S = 1.0


def _not_found(what: str = "SourceArn") -> ServiceError:
    return ServiceError(
        "ResourceNotFoundException",
        f"The resource that you specified for the {what} parameter doesn't exist.",
        404,
    )


def _handle(task_id: str, source_arn: str) -> str:
    raw = json.dumps({"taskId": task_id, "sourceArn": source_arn}, separators=(",", ":"))
    return base64.b64encode(raw.encode()).decode()


def _queue_by_arn(conn: Connection, arn: str, what: str) -> Queue:
    try:
        region, account, name = parse_queue_arn(arn, what)
    except ServiceError:
        raise _not_found(what) from None
    queue = queues.get(conn, account, region, name)
    if queue is None:
        raise _not_found(what)
    return queue


class MoveTaskOperations(SqsBase):
    _runner: asyncio.Task[None] | None
    node_id: str

    def init_move_tasks(self) -> None:
        self._runner = None
        self.node_id = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"

    def start_move_tasks(self) -> None:
        self._runner = asyncio.get_running_loop().create_task(self._run())

    async def stop_move_tasks(self) -> None:
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
            self._runner = None

    # -- the operations --------------------------------------------------------------------

    def start_message_move_task(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        source_arn = params["SourceArn"]
        destination_arn = params.get("DestinationArn")
        rate = params.get("MaxNumberOfMessagesPerSecond")
        if rate is not None and not 1 <= rate <= 500:
            raise invalid_parameter(
                f"Value {rate} for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: "
                "Must be between 1 and 500."
            )
        with self.store.write() as conn:
            source = _queue_by_arn(conn, source_arn, "SourceArn")
            if not redrive.sources(conn, source):
                raise invalid_parameter("Source queue must be configured as a Dead Letter Queue.")
            if destination_arn is not None:
                destination = _queue_by_arn(conn, destination_arn, "DestinationArn")
                if destination.fifo != source.fifo:
                    raise invalid_parameter(
                        "The source queue and the destination queue must be of the same type."
                    )
            running = conn.execute(
                sa.select(t.c.task_handle).where(
                    t.c.source_arn == source.arn, t.c.status.in_([RUNNING, CANCELLING])
                )
            ).first()
            if running is not None:
                raise unsupported(
                    "There is already a task running. Only one active task is allowed for a "
                    "source queue arn at a given time."
                )
            handle = _handle(str(uuid.uuid4()), source.arn)
            to_move = conn.execute(
                sa.select(sa.func.count()).where(m.c.queue_id == source.id)
            ).scalar()
            conn.execute(
                t.insert().values(
                    task_handle=handle,
                    account_id=ctx.account_id,
                    region=ctx.region,
                    source_arn=source.arn,
                    destination_arn=destination_arn,
                    max_per_second=rate,
                    status=RUNNING,
                    started_at=int(time.time() * 1000),
                    moved=0,
                    to_move=int(to_move or 0),
                )
            )
        return {"TaskHandle": handle}

    def cancel_message_move_task(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        handle = params["TaskHandle"]
        with self.store.write() as conn:
            row = conn.execute(sa.select(t).where(t.c.task_handle == handle)).first()
            if row is None:
                raise ServiceError("ResourceNotFoundException", "Task does not exist.", 404)
            if row.status != RUNNING:
                raise unsupported("Only active tasks can be cancelled.")
            conn.execute(t.update().where(t.c.task_handle == handle).values(status=CANCELLED))
        return {"ApproximateNumberOfMessagesMoved": int(row.moved)}

    def list_message_move_tasks(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        size = params.get("MaxResults", 1)
        if not 1 <= size <= 10:
            raise invalid_parameter(
                f"Value {size} for parameter MaxResults is invalid. Reason: You must enter a "
                "number that's between 1 and 10."
            )
        with self.store.read() as conn:
            source = _queue_by_arn(conn, params["SourceArn"], "SourceArn")
            rows = conn.execute(
                sa.select(t)
                .where(t.c.source_arn == source.arn)
                .order_by(t.c.started_at.desc())
                .limit(size)
            ).all()
        return {"Results": [_entry(row) for row in rows]}

    # -- running tasks ---------------------------------------------------------------------

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                touched = await loop.run_in_executor(None, self._tick)
                for queue_id in touched:
                    self.waiters.notify_all(queue_id)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("moving messages failed; trying again shortly")
            await asyncio.sleep(TICK_S)

    def _tick(self) -> set[int]:
        """One second's moves of every task this node holds or may take."""
        now = time.time()
        with self.store.read() as conn:
            rows = conn.execute(
                sa.select(t.c.task_handle).where(
                    t.c.status == RUNNING,
                    sa.or_(
                        t.c.lease_owner == self.node_id,
                        t.c.lease_owner.is_(None),
                        t.c.lease_until < now,
                    ),
                )
            ).all()
        touched: set[int] = set()
        for row in rows:
            with self.store.write() as conn:
                touched |= self._step(conn, row.task_handle, time.time())
        return touched

    def _step(self, conn: Connection, handle: str, now: float) -> set[int]:
        query = sa.select(t).where(t.c.task_handle == handle)
        if self.postgres:
            query = query.with_for_update(skip_locked=True)
        task = conn.execute(query).first()
        if task is None or task.status != RUNNING:
            return set()
        if task.lease_owner not in (None, self.node_id) and (task.lease_until or 0) >= now:
            return set()
        try:
            source = _queue_by_arn(conn, task.source_arn, "SourceArn")
        except ServiceError:
            self._finish(conn, handle, FAILED, "AWS.SimpleQueueService.NonExistentQueue")
            return set()
        destination = None
        if task.destination_arn:
            try:
                destination = _queue_by_arn(conn, task.destination_arn, "DestinationArn")
            except ServiceError:
                self._finish(conn, handle, FAILED, "AWS.SimpleQueueService.NonExistentQueue")
                return set()
        rows = conn.execute(
            sa.select(m)
            .where(m.c.queue_id == source.id, m.c.visible_at <= now)
            .order_by(m.c.id)
            .limit(task.max_per_second or DEFAULT_RATE)
        ).all()
        if not rows:
            self._finish(conn, handle, COMPLETED, None)
            return set()
        touched: set[int] = set()
        for row in rows:
            target = destination
            if target is None:
                target = self._origin(conn, row)
                if target is None:
                    self._finish(
                        conn,
                        handle,
                        FAILED,
                        "The message has no DeadLetterQueueSourceArn to move it back to.",
                    )
                    return touched
            redrive.move(conn, [row], target, None, now)
            touched.add(target.id)
        conn.execute(
            t.update()
            .where(t.c.task_handle == handle)
            .values(
                moved=t.c.moved + len(rows),
                lease_owner=self.node_id,
                lease_until=now + LEASE_S,
            )
        )
        return touched

    def _origin(self, conn: Connection, row: Any) -> Queue | None:
        if not row.source_arn:
            return None
        try:
            return _queue_by_arn(conn, row.source_arn, "SourceArn")
        except ServiceError:
            return None

    def _finish(self, conn: Connection, handle: str, status: str, reason: str | None) -> None:
        conn.execute(
            t.update()
            .where(t.c.task_handle == handle)
            .values(status=status, failure_reason=reason, lease_owner=None, lease_until=None)
        )


def _entry(row: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "Status": row.status,
        "SourceArn": row.source_arn,
        "ApproximateNumberOfMessagesMoved": int(row.moved),
        "ApproximateNumberOfMessagesToMove": int(row.to_move),
        "StartedTimestamp": int(row.started_at),
    }
    if row.status == RUNNING:
        entry["TaskHandle"] = row.task_handle
    if row.destination_arn:
        entry["DestinationArn"] = row.destination_arn
    if row.max_per_second is not None:
        entry["MaxNumberOfMessagesPerSecond"] = row.max_per_second
    if row.failure_reason:
        entry["FailureReason"] = row.failure_reason
    return entry
