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

# CloudWatch Logs: log groups per account and region, their streams, and the events in them.
logs_groups = sa.Table(
    "logs_groups",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("account_id", sa.String(12), nullable=False),
    sa.Column("region", sa.String(32), nullable=False),
    sa.Column("name", sa.String(512), nullable=False),
    sa.Column("creation_time", sa.BigInteger, nullable=False),  # ms since the epoch
    sa.Column("retention_in_days", sa.Integer, nullable=True),  # None: never expire
    sa.Column("log_group_class", sa.String(32), nullable=False),
    sa.Column("kms_key_id", sa.String(256), nullable=True),
    sa.UniqueConstraint("account_id", "region", "name", name="uq_logs_groups_name"),
)

logs_streams = sa.Table(
    "logs_streams",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "group_id",
        sa.Integer,
        sa.ForeignKey("logs_groups.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("name", sa.String(512), nullable=False),
    sa.Column("creation_time", sa.BigInteger, nullable=False),
    sa.Column("first_event_timestamp", sa.BigInteger, nullable=True),
    sa.Column("last_event_timestamp", sa.BigInteger, nullable=True),
    sa.Column("last_ingestion_time", sa.BigInteger, nullable=True),
    sa.Column("stored_bytes", sa.BigInteger, nullable=False),
    sa.Column("sequence", sa.BigInteger, nullable=False),  # batches accepted: the upload token
    sa.UniqueConstraint("group_id", "name", name="uq_logs_streams_name"),
)

# group_id is repeated from the stream so a whole group is filtered by time on one index.
logs_events = sa.Table(
    "logs_events",
    metadata,
    sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    sa.Column(
        "stream_id",
        sa.Integer,
        sa.ForeignKey("logs_streams.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column(
        "group_id",
        sa.Integer,
        sa.ForeignKey("logs_groups.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("timestamp", sa.BigInteger, nullable=False),
    sa.Column("ingestion_time", sa.BigInteger, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Index("ix_logs_events_stream_time", "stream_id", "timestamp", "id"),
    sa.Index("ix_logs_events_group_time", "group_id", "timestamp", "id"),
)

# Content-addressed blobs, for a fleet on PostgreSQL (shared_blobs.py); a single node on
# SQLite keeps them as files in its data directory instead.
blobs = sa.Table(
    "blobs",
    metadata,
    sa.Column("digest", sa.String(64), primary_key=True),  # hex SHA-256 of data
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
)
