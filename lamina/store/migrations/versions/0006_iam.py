"""IAM: roles, users, groups, managed and inline policies, attachments, access keys,
instance profiles and service-linked role deletion tasks.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "iam_roles",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("name_key", sa.String(64), nullable=False),
        sa.Column("path", sa.String(512), nullable=False),
        sa.Column("role_id", sa.String(32), nullable=False),
        sa.Column("trust_policy", sa.Text, nullable=False),
        sa.Column("description", sa.String(1000), nullable=True),
        sa.Column("max_session_duration", sa.Integer, nullable=False),
        sa.Column("permissions_boundary", sa.String(2048), nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("last_used_at", sa.Float, nullable=True),
        sa.Column("last_used_region", sa.String(32), nullable=True),
        sa.UniqueConstraint("account_id", "name_key", name="uq_iam_roles_name"),
    )
    op.create_index("ix_iam_roles_role_id", "iam_roles", ["role_id"])
    op.create_table(
        "iam_users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("name_key", sa.String(64), nullable=False),
        sa.Column("path", sa.String(512), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("permissions_boundary", sa.String(2048), nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.UniqueConstraint("account_id", "name_key", name="uq_iam_users_name"),
    )
    op.create_table(
        "iam_groups",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("name_key", sa.String(128), nullable=False),
        sa.Column("path", sa.String(512), nullable=False),
        sa.Column("group_id", sa.String(32), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.UniqueConstraint("account_id", "name_key", name="uq_iam_groups_name"),
    )
    op.create_table(
        "iam_group_members",
        sa.Column(
            "group_row",
            sa.Integer,
            sa.ForeignKey("iam_groups.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "user_row",
            sa.Integer,
            sa.ForeignKey("iam_users.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("added_at", sa.Float, nullable=False),
    )
    op.create_table(
        "iam_policies",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("name_key", sa.String(128), nullable=False),
        sa.Column("path", sa.String(512), nullable=False),
        sa.Column("policy_id", sa.String(32), nullable=False),
        sa.Column("description", sa.String(1000), nullable=True),
        sa.Column("default_version", sa.String(16), nullable=False),
        sa.Column("next_version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.UniqueConstraint("account_id", "name_key", name="uq_iam_policies_name"),
    )
    op.create_table(
        "iam_policy_versions",
        sa.Column(
            "policy_row",
            sa.Integer,
            sa.ForeignKey("iam_policies.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("version_id", sa.String(16), primary_key=True),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "iam_attachments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("policy_arn", sa.String(2048), nullable=False),
        sa.Column("principal_kind", sa.String(8), nullable=False),
        sa.Column("principal_row", sa.Integer, nullable=False),
        sa.UniqueConstraint(
            "principal_kind", "principal_row", "policy_arn", name="uq_iam_attachments"
        ),
    )
    op.create_index("ix_iam_attachments_policy", "iam_attachments", ["account_id", "policy_arn"])
    op.create_table(
        "iam_inline_policies",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("principal_kind", sa.String(8), nullable=False),
        sa.Column("principal_row", sa.Integer, nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.UniqueConstraint(
            "principal_kind", "principal_row", "name", name="uq_iam_inline_policies"
        ),
    )
    op.create_table(
        "iam_access_keys",
        sa.Column("access_key_id", sa.String(32), primary_key=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column(
            "user_row",
            sa.Integer,
            sa.ForeignKey("iam_users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("secret", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("last_used_at", sa.Float, nullable=True),
        sa.Column("last_used_service", sa.String(64), nullable=True),
        sa.Column("last_used_region", sa.String(32), nullable=True),
    )
    op.create_index("ix_iam_access_keys_user", "iam_access_keys", ["user_row"])
    op.create_table(
        "iam_instance_profiles",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("name_key", sa.String(128), nullable=False),
        sa.Column("path", sa.String(512), nullable=False),
        sa.Column("profile_id", sa.String(32), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.UniqueConstraint("account_id", "name_key", name="uq_iam_instance_profiles_name"),
    )
    op.create_table(
        "iam_instance_profile_roles",
        sa.Column(
            "profile_row",
            sa.Integer,
            sa.ForeignKey("iam_instance_profiles.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "role_row",
            sa.Integer,
            sa.ForeignKey("iam_roles.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_table(
        "iam_deletion_tasks",
        sa.Column("task_id", sa.String(512), primary_key=True),
        sa.Column("account_id", sa.String(12), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("iam_deletion_tasks")
    op.drop_table("iam_instance_profile_roles")
    op.drop_table("iam_instance_profiles")
    op.drop_table("iam_access_keys")
    op.drop_table("iam_inline_policies")
    op.drop_table("iam_attachments")
    op.drop_table("iam_policy_versions")
    op.drop_table("iam_policies")
    op.drop_table("iam_group_members")
    op.drop_table("iam_groups")
    op.drop_table("iam_users")
    op.drop_table("iam_roles")
