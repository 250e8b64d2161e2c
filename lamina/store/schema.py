"""Tables, as SQLAlchemy Core metadata. Changes here need a migration in migrations/versions."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

# One row per Lambda function: what is shared by all its versions.
lambda_functions = sa.Table(
    "lambda_functions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("account_id", sa.String(12), nullable=False),
    sa.Column("region", sa.String(32), nullable=False),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("reserved_concurrency", sa.Integer, nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.UniqueConstraint("account_id", "region", "name", name="uq_lambda_functions_name"),
)

# One row per version ('$LATEST' now; published versions later). `config` is the
# FunctionConfiguration as the API returns it, less what is derived at read time.
lambda_function_versions = sa.Table(
    "lambda_function_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "function_id",
        sa.Integer,
        sa.ForeignKey("lambda_functions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("version", sa.String(16), nullable=False),
    sa.Column("config", sa.JSON, nullable=False),
    sa.Column("code_digest", sa.String(64), nullable=False),  # hex SHA-256: the blob's key
    sa.Column("code_size", sa.BigInteger, nullable=False),
    sa.Column("revision_id", sa.String(36), nullable=False),
    sa.UniqueConstraint("function_id", "version", name="uq_lambda_function_versions"),
)

# Tags of any service's resources, by ARN (the ARN holds account and region).
resource_tags = sa.Table(
    "resource_tags",
    metadata,
    sa.Column("resource_arn", sa.String(2048), primary_key=True),
    sa.Column("key", sa.String(128), primary_key=True),
    sa.Column("value", sa.String(256), nullable=False),
)
