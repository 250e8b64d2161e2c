"""Lambda layers and their versions.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lambda_layers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("name", sa.String(140), nullable=False),
        sa.Column("last_version", sa.Integer, nullable=False),
        sa.UniqueConstraint("account_id", "region", "name", name="uq_lambda_layers_name"),
    )
    op.create_table(
        "lambda_layer_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "layer_id",
            sa.Integer,
            sa.ForeignKey("lambda_layers.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("config", sa.JSON, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("unzipped_size", sa.BigInteger, nullable=False),
        sa.Column("statements", sa.JSON, nullable=False),
        sa.Column("revision_id", sa.String(36), nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.UniqueConstraint("layer_id", "version", name="uq_lambda_layer_versions"),
    )


def downgrade() -> None:
    op.drop_table("lambda_layer_versions")
    op.drop_table("lambda_layers")
