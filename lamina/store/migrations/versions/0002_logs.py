"""CloudWatch Logs: log groups, log streams and log events.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "logs_groups",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("name", sa.String(512), nullable=False),
        sa.Column("creation_time", sa.BigInteger, nullable=False),
        sa.Column("retention_in_days", sa.Integer, nullable=True),
        sa.Column("log_group_class", sa.String(32), nullable=False),
        sa.Column("kms_key_id", sa.String(256), nullable=True),
        sa.UniqueConstraint("account_id", "region", "name", name="uq_logs_groups_name"),
    )
    op.create_table(
        "logs_streams",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "group_id",
            sa.Integer,
            sa.ForeignKey("logs_groups.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(512), nullable=False),
        sa.Column("creation_time", sa.BigInteger, nullable=False),
        sa.Column("first_event_timestamp", sa.BigInteger, nullable=True),
        sa.Column("last_event_timestamp", sa.BigInteger, nullable=True),
        sa.Column("last_ingestion_time", sa.BigInteger, nullable=True),
        sa.Column("stored_bytes", sa.BigInteger, nullable=False),
        sa.Column("sequence", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("group_id", "name", name="uq_logs_streams_name"),
    )
    op.create_table(
        "logs_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer, "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column(
            "stream_id",
            sa.Integer,
            sa.ForeignKey("logs_streams.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "group_id",
            sa.Integer,
            sa.ForeignKey("logs_groups.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("timestamp", sa.BigInteger, nullable=False),
        sa.Column("ingestion_time", sa.BigInteger, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
    )
    op.create_index("ix_logs_events_stream_time", "logs_events", ["stream_id", "timestamp", "id"])
    op.create_index("ix_logs_events_group_time", "logs_events", ["group_id", "timestamp", "id"])


def downgrade() -> None:
    op.drop_index("ix_logs_events_group_time", "logs_events")
    op.drop_index("ix_logs_events_stream_time", "logs_events")
    op.drop_table("logs_events")
    op.drop_table("logs_streams")
    op.drop_table("logs_groups")
