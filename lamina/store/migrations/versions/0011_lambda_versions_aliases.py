"""Lambda's published versions (numbered by a per-function counter) and aliases.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lambda_functions") as batch:
        batch.add_column(sa.Column("last_version", sa.Integer, nullable=False, server_default="0"))
    op.create_table(
        "lambda_aliases",
        sa.Column(
            "function_id",
            sa.Integer,
            sa.ForeignKey("lambda_functions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("function_version", sa.String(16), nullable=False),
        sa.Column("description", sa.String(256), nullable=False),
        sa.Column("routing", sa.JSON, nullable=False),
        sa.Column("revision_id", sa.String(36), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("lambda_aliases")
    with op.batch_alter_table("lambda_functions") as batch:
        batch.drop_column("last_version")
