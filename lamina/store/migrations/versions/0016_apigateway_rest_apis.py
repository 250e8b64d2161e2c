"""API Gateway REST APIs: APIs, resources (with their methods), deployments and stages.

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def _api_column() -> sa.Column:
    return sa.Column(
        "api_id", sa.String(10),
        sa.ForeignKey("apigateway_rest_apis.api_id", ondelete="CASCADE"), primary_key=True,
    )  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "apigateway_rest_apis",
        sa.Column("api_id", sa.String(10), primary_key=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("name", sa.String(1024), nullable=False),
        sa.Column("root_id", sa.String(10), nullable=False),
        sa.Column("config", sa.JSON, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "apigateway_resources",
        _api_column(),
        sa.Column("resource_id", sa.String(10), primary_key=True),
        sa.Column("parent_id", sa.String(10), nullable=True),
        sa.Column("path_part", sa.String(255), nullable=True),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("methods", sa.JSON, nullable=False),
        sa.UniqueConstraint("api_id", "path", name="uq_apigateway_resources_path"),
    )
    op.create_table(
        "apigateway_deployments",
        _api_column(),
        sa.Column("deployment_id", sa.String(10), primary_key=True),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("snapshot", sa.JSON, nullable=False),
    )
    op.create_table(
        "apigateway_stages",
        _api_column(),
        sa.Column("stage_name", sa.String(128), primary_key=True),
        sa.Column("deployment_id", sa.String(10), nullable=False),
        sa.Column("config", sa.JSON, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("apigateway_stages")
    op.drop_table("apigateway_deployments")
    op.drop_table("apigateway_resources")
    op.drop_table("apigateway_rest_apis")
