"""The Approximate* counts of GetQueueAttributes, in one query."""

from __future__ import annotations

import time

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.services.sqs.queues import Queue
from lamina.services.sqs.receiving import oldest_kept
from lamina.store.schema import sqs_messages

m = sqs_messages


def approximate(conn: Connection, queue: Queue) -> dict[str, str]:
    now = time.time()
    waiting = m.c.visible_at > now
    row = conn.execute(
        sa.select(
            sa.func.sum(sa.case((waiting, 0), else_=1)),
            sa.func.sum(sa.case((sa.and_(waiting, m.c.receive_count > 0), 1), else_=0)),
            sa.func.sum(sa.case((sa.and_(waiting, m.c.receive_count == 0), 1), else_=0)),
        ).where(m.c.queue_id == queue.id, m.c.sent_at >= oldest_kept(queue, now))
    ).one()
    return {
        "ApproximateNumberOfMessages": str(int(row[0] or 0)),
        "ApproximateNumberOfMessagesNotVisible": str(int(row[1] or 0)),
        "ApproximateNumberOfMessagesDelayed": str(int(row[2] or 0)),
    }
