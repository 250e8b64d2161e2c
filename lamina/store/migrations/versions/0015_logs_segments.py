"""CloudWatch Logs: log events packed into one segment a write, not one row an event.

Existing events move into segments: each run of consecutive rows of one stream with one
ingestion time (one write) becomes a segment, numbered in the order of its first row, so
events keep their order, ties included. Page tokens handed out before keep their time but
not their place within a millisecond.

Revision ID: 0015
Revises: 0014
"""

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# As lamina/services/logs/segments.py packs them (a migration keeps its own copy).
EVENT_OVERHEAD = 26
MAX_EVENTS = 10_000
MAX_BYTES = 1_048_576
MAX_SPAN_MS = 60_000
COPY_CHUNK = 5_000

_pack = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

events = sa.table(
    "logs_events",
    sa.column("id", sa.BigInteger),
    sa.column("stream_id", sa.Integer),
    sa.column("group_id", sa.Integer),
    sa.column("timestamp", sa.BigInteger),
    sa.column("ingestion_time", sa.BigInteger),
    sa.column("message", sa.Text),
)
segments = sa.table(
    "logs_segments",
    sa.column("id", sa.BigInteger),
    sa.column("stream_id", sa.Integer),
    sa.column("group_id", sa.Integer),
    sa.column("first_timestamp", sa.BigInteger),
    sa.column("last_timestamp", sa.BigInteger),
    sa.column("ingestion_time", sa.BigInteger),
    sa.column("first_index", sa.Integer),
    sa.column("event_count", sa.Integer),
    sa.column("stored_bytes", sa.BigInteger),
    sa.column("events", sa.Text),
)


def _id_column() -> sa.Column[Any]:
    return sa.Column(
        "id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
        autoincrement=True,
    )  # fmt: skip


def _owner_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column(
            "stream_id", sa.Integer, sa.ForeignKey("logs_streams.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "group_id", sa.Integer, sa.ForeignKey("logs_groups.id", ondelete="CASCADE"),
            nullable=False,
        ),
    ]  # fmt: skip


def upgrade() -> None:
    op.add_column(
        "logs_streams",
        sa.Column("segment_span", sa.BigInteger, nullable=False, server_default="0"),
    )
    op.create_table(
        "logs_segments",
        _id_column(),
        *_owner_columns(),
        sa.Column("first_timestamp", sa.BigInteger, nullable=False),
        sa.Column("last_timestamp", sa.BigInteger, nullable=False),
        sa.Column("ingestion_time", sa.BigInteger, nullable=False),
        sa.Column("first_index", sa.Integer, nullable=False),
        sa.Column("event_count", sa.Integer, nullable=False),
        sa.Column("stored_bytes", sa.BigInteger, nullable=False),
        sa.Column("events", sa.Text, nullable=False),
    )
    op.create_index(
        "ix_logs_segments_stream_time", "logs_segments", ["stream_id", "first_timestamp", "id"]
    )
    op.create_index(
        "ix_logs_segments_group_time", "logs_segments", ["group_id", "first_timestamp", "id"]
    )
    conn = op.get_bind()
    _copy_events_into_segments(conn)
    streams = sa.table("logs_streams", sa.column("id"), sa.column("segment_span"))
    longest = (
        sa.select(sa.func.max(segments.c.last_timestamp - segments.c.first_timestamp))
        .where(segments.c.stream_id == streams.c.id)
        .scalar_subquery()
    )
    conn.execute(streams.update().values(segment_span=sa.func.coalesce(longest, 0)))
    if conn.dialect.name == "postgresql":  # ids were given explicitly: the sequence follows
        conn.execute(
            sa.text(
                "SELECT setval(pg_get_serial_sequence('logs_segments', 'id'), "
                "coalesce(max(id), 0) + 1, false) FROM logs_segments"
            )
        )
    op.drop_index("ix_logs_events_group_time", "logs_events")
    op.drop_index("ix_logs_events_stream_time", "logs_events")
    op.drop_table("logs_events")


def _copy_events_into_segments(conn: sa.engine.Connection) -> None:
    run: list[Any] = []  # rows of the segment being built
    size, after, segment_id = 0, -1, 0

    def close() -> None:
        nonlocal run, size, segment_id
        if not run:
            return
        segment_id += 1
        first = run[0]
        conn.execute(
            segments.insert(),
            {
                "id": segment_id, "stream_id": first.stream_id, "group_id": first.group_id,
                "first_timestamp": first.timestamp, "last_timestamp": run[-1].timestamp,
                "ingestion_time": first.ingestion_time, "first_index": 0,
                "event_count": len(run), "stored_bytes": size,
                "events": _pack([[row.timestamp, row.message] for row in run]),
            },
        )  # fmt: skip
        run, size = [], 0

    while True:
        query = sa.select(events).where(events.c.id > after).order_by(events.c.id)
        rows = conn.execute(query.limit(COPY_CHUNK)).all()
        for row in rows:
            grown = len(row.message.encode("utf-8")) + EVENT_OVERHEAD
            if run and (
                row.stream_id != run[0].stream_id
                or row.ingestion_time != run[0].ingestion_time
                or row.timestamp < run[-1].timestamp
                or row.timestamp - run[0].timestamp > MAX_SPAN_MS
                or len(run) == MAX_EVENTS
                or size + grown > MAX_BYTES
            ):
                close()
            run.append(row)
            size += grown
        if len(rows) < COPY_CHUNK:
            break
        after = rows[-1].id
    close()


def downgrade() -> None:
    op.create_table(
        "logs_events",
        _id_column(),
        *_owner_columns(),
        sa.Column("timestamp", sa.BigInteger, nullable=False),
        sa.Column("ingestion_time", sa.BigInteger, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
    )
    op.create_index("ix_logs_events_stream_time", "logs_events", ["stream_id", "timestamp", "id"])
    op.create_index("ix_logs_events_group_time", "logs_events", ["group_id", "timestamp", "id"])
    conn = op.get_bind()
    for row in conn.execute(sa.select(segments).order_by(segments.c.id)).all():
        common = {
            "stream_id": row.stream_id,
            "group_id": row.group_id,
            "ingestion_time": row.ingestion_time,
        }
        rows = [dict(common, timestamp=ts, message=m) for ts, m in json.loads(row.events)]
        conn.execute(events.insert(), rows)
    op.drop_index("ix_logs_segments_group_time", "logs_segments")
    op.drop_index("ix_logs_segments_stream_time", "logs_segments")
    op.drop_table("logs_segments")
    op.drop_column("logs_streams", "segment_span")
