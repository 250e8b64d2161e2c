"""Lambda's provisioned concurrency configs.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lambda_provisioned_concurrency",
        sa.Column(
            "function_id",
            sa.Integer,
            sa.ForeignKey("lambda_functions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("qualifier", sa.String(128), primary_key=True),
        sa.Column("requested", sa.Integer, nullable=False),
        sa.Column("last_modified", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("lambda_provisioned_concurrency")
