"""Lambda's asynchronous invocations: the event queue and the event invoke configs.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lambda_async_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer, "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
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
        sa.Column("lease_owner", sa.String(128), nullable=True),
        sa.Column("lease_until", sa.Float, nullable=True),
    )
    op.create_index("ix_lambda_async_events_due", "lambda_async_events", ["due_at"])
    op.create_index("ix_lambda_async_events_lease", "lambda_async_events", ["lease_owner"])
    op.create_table(
        "lambda_event_invoke_configs",
        sa.Column(
            "function_id",
            sa.Integer,
            sa.ForeignKey("lambda_functions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("qualifier", sa.String(128), primary_key=True),
        sa.Column("config", sa.JSON, nullable=False),
        sa.Column("last_modified", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("lambda_event_invoke_configs")
    op.drop_table("lambda_async_events")
