"""Lambda's event source mappings, and the poller framework's leases.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lambda_event_source_mappings",
        sa.Column("uuid", sa.String(36), primary_key=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("function_name", sa.String(64), nullable=False),
        sa.Column("function_arn", sa.String(256), nullable=False),
        sa.Column("event_source_arn", sa.String(1024), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("config", sa.JSON, nullable=False),
        sa.Column("last_modified", sa.Float, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.UniqueConstraint(
            "event_source_arn", "function_arn", name="uq_lambda_esm_source_function"
        ),
    )
    op.create_index(
        "ix_lambda_esm_function",
        "lambda_event_source_mappings",
        ["account_id", "region", "function_name"],
    )
    op.create_table(
        "poller_leases",
        sa.Column("mapping", sa.String(36), primary_key=True),
        sa.Column("worker", sa.String(128), primary_key=True),
        sa.Column("owner", sa.String(128), nullable=True),
        sa.Column("lease_until", sa.Float, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("poller_leases")
    op.drop_index("ix_lambda_esm_function", "lambda_event_source_mappings")
    op.drop_table("lambda_event_source_mappings")
