"""API Gateway custom domain names and their base path / API mappings (both APIs share them).

Revision ID: 0021
Revises: 0020
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "apigateway_domain_names",
        sa.Column("host", sa.String(253), primary_key=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("target_id", sa.String(12), nullable=False, unique=True),
        sa.Column("config", sa.JSON, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "apigateway_domain_mappings",
        sa.Column(
            "host",
            sa.String(253),
            sa.ForeignKey("apigateway_domain_names.host", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("mapping_key", sa.String(300), primary_key=True),
        sa.Column("mapping_id", sa.String(8), nullable=False, unique=True),
        sa.Column("api_id", sa.String(10), nullable=False),
        sa.Column("stage", sa.String(128), nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("apigateway_domain_mappings")
    op.drop_table("apigateway_domain_names")
