"""Lambda's resource-based policies and function URLs.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lambda_policies",
        sa.Column(
            "function_id",
            sa.Integer,
            sa.ForeignKey("lambda_functions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("qualifier", sa.String(128), primary_key=True),
        sa.Column("statements", sa.JSON, nullable=False),
    )
    op.create_table(
        "lambda_function_urls",
        sa.Column("url_id", sa.String(32), primary_key=True),
        sa.Column(
            "function_id",
            sa.Integer,
            sa.ForeignKey("lambda_functions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("qualifier", sa.String(128), nullable=False),
        sa.Column("config", sa.JSON, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("last_modified", sa.Float, nullable=False),
        sa.UniqueConstraint("function_id", "qualifier", name="uq_lambda_function_urls"),
    )


def downgrade() -> None:
    op.drop_table("lambda_function_urls")
    op.drop_table("lambda_policies")
