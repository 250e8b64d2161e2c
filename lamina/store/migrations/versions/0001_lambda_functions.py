"""Lambda functions and their versions; tags for any resource.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lambda_functions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("reserved_concurrency", sa.Integer, nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.UniqueConstraint("account_id", "region", "name", name="uq_lambda_functions_name"),
    )
    op.create_table(
        "lambda_function_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "function_id",
            sa.Integer,
            sa.ForeignKey("lambda_functions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("version", sa.String(16), nullable=False),
        sa.Column("config", sa.JSON, nullable=False),
        sa.Column("code_digest", sa.String(64), nullable=False),
        sa.Column("code_size", sa.BigInteger, nullable=False),
        sa.Column("revision_id", sa.String(36), nullable=False),
        sa.UniqueConstraint("function_id", "version", name="uq_lambda_function_versions"),
    )
    op.create_table(
        "resource_tags",
        sa.Column("resource_arn", sa.String(2048), primary_key=True),
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("value", sa.String(256), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("resource_tags")
    op.drop_table("lambda_function_versions")
    op.drop_table("lambda_functions")
