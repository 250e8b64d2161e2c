"""The durable work queue: `work_items` takes over Lambda's asynchronous events.

Events queued in `lambda_async_events` move to `work_items` as items of kind "lambda:invoke",
packed as lamina/services/lambda_/async_events.py packs them (a JSON header line, then the
event's payload), and that table goes.

Revision ID: 0009
Revises: 0008
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def _lease() -> tuple[sa.Column, sa.Column]:
    return (
        sa.Column("lease_owner", sa.String(128), nullable=True),
        sa.Column("lease_until", sa.Float, nullable=True),
    )


def _events_table() -> sa.Table:
    return sa.Table(
        "lambda_async_events",
        sa.MetaData(),
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.String(36), nullable=False),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("function_name", sa.String(64), nullable=False),
        sa.Column("qualifier", sa.String(128), nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.Column("trace_id", sa.String(256), nullable=False),
        sa.Column("received_at", sa.Float, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("due_at", sa.Float, nullable=False),
        *_lease(),
    )


def _items_columns() -> list[sa.Column]:
    return [
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("due_at", sa.Float, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        *_lease(),
    ]


def upgrade() -> None:
    items = op.create_table("work_items", *_items_columns())
    op.create_index("ix_work_items_due", "work_items", ["kind", "due_at"])
    op.create_index("ix_work_items_lease", "work_items", ["lease_owner"])
    events = _events_table()
    conn = op.get_bind()
    moved = [
        {
            "kind": "lambda:invoke",
            "account_id": row.account_id,
            "region": row.region,
            "payload": _pack(row),
            "created_at": row.received_at,
            "due_at": row.due_at,
            "attempts": row.attempts,
            "lease_owner": None,  # whoever held them is gone: they run again
            "lease_until": None,
        }
        for row in conn.execute(sa.select(events))
    ]
    if moved:
        conn.execute(items.insert(), moved)
    op.drop_table("lambda_async_events")


def _pack(row: sa.Row) -> bytes:
    header = {
        "requestId": row.request_id,
        "account": row.account_id,
        "region": row.region,
        "functionName": row.function_name,
        "qualifier": row.qualifier,
        "traceId": row.trace_id,
        "receivedAt": row.received_at,
    }
    return json.dumps(header, separators=(",", ":")).encode() + b"\n" + bytes(row.payload)


def downgrade() -> None:
    events = _events_table()
    events.create(op.get_bind())
    op.create_index("ix_lambda_async_events_due", "lambda_async_events", ["due_at"])
    op.create_index("ix_lambda_async_events_lease", "lambda_async_events", ["lease_owner"])
    items = sa.Table("work_items", sa.MetaData(), *_items_columns())
    conn = op.get_bind()
    back = []
    for row in conn.execute(sa.select(items).where(items.c.kind == "lambda:invoke")):
        line, _, body = bytes(row.payload).partition(b"\n")
        header = json.loads(line)
        back.append(
            {
                "request_id": header["requestId"],
                "account_id": row.account_id,
                "region": row.region,
                "function_name": header["functionName"],
                "qualifier": header["qualifier"],
                "payload": body,
                "trace_id": header["traceId"],
                "received_at": header["receivedAt"],
                "attempts": row.attempts,
                "due_at": row.due_at,
                "lease_owner": None,
                "lease_until": None,
            }
        )
    if back:
        conn.execute(events.insert(), back)
    op.drop_table("work_items")
