"""CloudWatch metrics: series and their aggregated datapoints.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cloudwatch_metrics",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("region", sa.String(32), nullable=False),
        sa.Column("namespace", sa.String(255), nullable=False),
        sa.Column("metric_name", sa.String(255), nullable=False),
        sa.Column("dimensions", sa.Text, nullable=False),
        sa.Column("series_key", sa.String(64), nullable=False),
        sa.Column("last_published", sa.Float, nullable=False),
        sa.UniqueConstraint(
            "account_id", "region", "series_key", name="uq_cloudwatch_metrics_series"
        ),
    )
    op.create_index(
        "ix_cloudwatch_metrics_name",
        "cloudwatch_metrics",
        ["account_id", "region", "namespace", "metric_name"],
    )
    op.create_table(
        "cloudwatch_datapoints",
        sa.Column(
            "metric_id",
            sa.Integer,
            sa.ForeignKey("cloudwatch_metrics.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("timestamp", sa.BigInteger, primary_key=True),
        sa.Column("unit", sa.String(32), primary_key=True),
        sa.Column("sample_count", sa.Float, nullable=False),
        sa.Column("sum", sa.Float, nullable=False),
        sa.Column("minimum", sa.Float, nullable=False),
        sa.Column("maximum", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("cloudwatch_datapoints")
    op.drop_index("ix_cloudwatch_metrics_name", "cloudwatch_metrics")
    op.drop_table("cloudwatch_metrics")
