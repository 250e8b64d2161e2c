"""WebSocket APIs' open connections: which node holds each socket.

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "apigwv2_connections",
        sa.Column("connection_id", sa.String(32), primary_key=True),
        sa.Column("api_id", sa.String(10), nullable=False),
        sa.Column("stage", sa.String(128), nullable=False),
        sa.Column("node", sa.String(128), nullable=False),
        sa.Column("source_ip", sa.String(64), nullable=False),
        sa.Column("user_agent", sa.String(512), nullable=False),
        sa.Column("connected_at", sa.Float, nullable=False),
    )
    op.create_index("apigwv2_connections_by_node", "apigwv2_connections", ["node"])


def downgrade() -> None:
    op.drop_index("apigwv2_connections_by_node", "apigwv2_connections")
    op.drop_table("apigwv2_connections")
