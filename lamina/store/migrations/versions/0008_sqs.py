"""SQS: queues, messages, FIFO deduplication and receive attempts, message move tasks.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

ROW_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def _queue_ref(primary_key: bool = False) -> sa.Column:
    return sa.Column(
        "queue_id",
        sa.Integer,
        sa.ForeignKey("sqs_queues.id", ondelete="CASCADE"),
        nullable=False,
        primary_key=primary_key,
    )


def upgrade() -> None:
    op.create_table(
        "sqs_queues",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("fifo", sa.Boolean, nullable=False),
        sa.Column("attributes", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("modified_at", sa.Float, nullable=False),
        sa.Column("purged_at", sa.Float, nullable=True),
        sa.UniqueConstraint("account_id", "region", "name", name="uq_sqs_queues_name"),
    )
    op.create_table(
        "sqs_deleted_queues",
        sa.Column("account_id", sa.String(12), primary_key=True),
        sa.Column("region", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(80), primary_key=True),
        sa.Column("deleted_at", sa.Float, nullable=False),
    )
    op.create_table(
        "sqs_messages",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        _queue_ref(),
        sa.Column("message_id", sa.String(36), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("attributes", sa.Text, nullable=True),
        sa.Column("system_attributes", sa.Text, nullable=True),
        sa.Column("md5_body", sa.String(32), nullable=False),
        sa.Column("md5_attributes", sa.String(32), nullable=True),
        sa.Column("md5_system", sa.String(32), nullable=True),
        sa.Column("sender_id", sa.String(128), nullable=False),
        sa.Column("sent_at", sa.BigInteger, nullable=False),
        sa.Column("visible_at", sa.Float, nullable=False),
        sa.Column("receive_count", sa.Integer, nullable=False),
        sa.Column("first_received_at", sa.BigInteger, nullable=True),
        sa.Column("receipt", sa.String(32), nullable=True),
        sa.Column("group_id", sa.String(128), nullable=True),
        sa.Column("dedup_id", sa.String(128), nullable=True),
        sa.Column("source_arn", sa.String(256), nullable=True),
    )
    op.create_index("ix_sqs_messages_visible", "sqs_messages", ["queue_id", "visible_at", "id"])
    op.create_index("ix_sqs_messages_group", "sqs_messages", ["queue_id", "group_id", "id"])
    op.create_table(
        "sqs_deduplication",
        _queue_ref(primary_key=True),
        sa.Column("scope", sa.String(128), primary_key=True),
        sa.Column("dedup_id", sa.String(128), primary_key=True),
        sa.Column("message_id", sa.String(36), nullable=False),
        sa.Column("sequence_number", sa.String(20), nullable=True),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_index("ix_sqs_deduplication_expires", "sqs_deduplication", ["expires_at"])
    op.create_table(
        "sqs_receive_attempts",
        _queue_ref(primary_key=True),
        sa.Column("attempt_id", sa.String(128), primary_key=True),
        sa.Column("received", sa.Text, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_table(
        "sqs_move_tasks",
        sa.Column("task_handle", sa.String(512), primary_key=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("source_arn", sa.String(256), nullable=False),
        sa.Column("destination_arn", sa.String(256), nullable=True),
        sa.Column("max_per_second", sa.Integer, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", sa.BigInteger, nullable=False),
        sa.Column("moved", sa.BigInteger, nullable=False),
        sa.Column("to_move", sa.BigInteger, nullable=False),
        sa.Column("failure_reason", sa.Text, nullable=True),
        sa.Column("lease_owner", sa.String(128), nullable=True),
        sa.Column("lease_until", sa.Float, nullable=True),
    )
    op.create_index("ix_sqs_move_tasks_source", "sqs_move_tasks", ["source_arn", "started_at"])


def downgrade() -> None:
    op.drop_table("sqs_move_tasks")
    op.drop_table("sqs_receive_attempts")
    op.drop_table("sqs_deduplication")
    op.drop_table("sqs_messages")
    op.drop_table("sqs_deleted_queues")
    op.drop_table("sqs_queues")
