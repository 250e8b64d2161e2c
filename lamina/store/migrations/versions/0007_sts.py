"""STS: session credentials (GetSessionToken, AssumeRole, AssumeRoleWithWebIdentity).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sts_sessions",
        sa.Column("access_key_id", sa.String(32), primary_key=True),
        sa.Column("secret", sa.String(64), nullable=False),
        sa.Column("session_token", sa.Text, nullable=False),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("arn", sa.String(2048), nullable=False),
        sa.Column("user_id", sa.String(256), nullable=False),
        sa.Column("user_name", sa.String(64), nullable=True),
        sa.Column("role_arn", sa.String(2048), nullable=True),
        sa.Column("role_id", sa.String(32), nullable=True),
        sa.Column("session_name", sa.String(64), nullable=True),
        sa.Column("chained", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("web_identity", sa.String(2048), nullable=True),
        sa.Column("source_identity", sa.String(64), nullable=True),
        sa.Column("tags", sa.Text, nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_index("ix_sts_sessions_expires", "sts_sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_sts_sessions_expires", "sts_sessions")
    op.drop_table("sts_sessions")
