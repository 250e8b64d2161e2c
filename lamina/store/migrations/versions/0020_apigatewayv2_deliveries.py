"""WebSocket APIs: messages and deletes for a connection another node of the fleet holds, and
when each node holding connections last said it is alive.

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "apigwv2_deliveries",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("node", sa.String(128), nullable=False),
        sa.Column("connection_id", sa.String(32), nullable=False),
        sa.Column("action", sa.String(8), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    op.create_index("apigwv2_deliveries_by_node", "apigwv2_deliveries", ["node"])
    op.create_table(
        "apigwv2_holders",
        sa.Column("node", sa.String(128), primary_key=True),
        sa.Column("renewed_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("apigwv2_holders")
    op.drop_index("apigwv2_deliveries_by_node", "apigwv2_deliveries")
    op.drop_table("apigwv2_deliveries")
