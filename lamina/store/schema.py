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

# Asynchronous invocations accepted and not yet done. A row is deleted when its event has run
# (or been dropped); while a worker runs it, the row is leased to that worker's node, so the
# event of a node that dies runs again once the lease is given up or runs out.
lambda_async_events = sa.Table(
    "lambda_async_events",
    metadata,
    sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    sa.Column("request_id", sa.String(36), nullable=False),
    sa.Column("account_id", sa.String(12), nullable=False),
    sa.Column("region", sa.String(32), nullable=False),
    sa.Column("function_name", sa.String(64), nullable=False),
    sa.Column("qualifier", sa.String(128), nullable=False),
    sa.Column("payload", sa.LargeBinary, nullable=False),
    sa.Column("trace_id", sa.String(256), nullable=False),
    sa.Column("received_at", sa.Float, nullable=False),  # seconds since the epoch
    sa.Column("attempts", sa.Integer, nullable=False),  # invocations that ran and failed
    sa.Column("due_at", sa.Float, nullable=False),  # not to run before this
    sa.Column("lease_owner", sa.String(128), nullable=True),  # the node running it
    sa.Column("lease_until", sa.Float, nullable=True),
    sa.Index("ix_lambda_async_events_due", "due_at"),
    sa.Index("ix_lambda_async_events_lease", "lease_owner"),
)

# Per function and qualifier: how its asynchronous invocations are retried and where their
# records go (PutFunctionEventInvokeConfig). `config` holds the API's fields as given.
lambda_event_invoke_configs = sa.Table(
    "lambda_event_invoke_configs",
    metadata,
    sa.Column(
        "function_id",
        sa.Integer,
        sa.ForeignKey("lambda_functions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("qualifier", sa.String(128), primary_key=True),
    sa.Column("config", sa.JSON, nullable=False),
    sa.Column("last_modified", sa.Float, nullable=False),
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

# CloudWatch metrics: one row per series (namespace, name and the full set of dimensions), per
# account and region. `dimensions` is canonical JSON (sorted by name); `series_key` is its hash
# with namespace and name, so the unique index stays small whatever the dimensions' length.
cloudwatch_metrics = sa.Table(
    "cloudwatch_metrics",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("account_id", sa.String(12), nullable=False),
    sa.Column("region", sa.String(32), nullable=False),
    sa.Column("namespace", sa.String(255), nullable=False),
    sa.Column("metric_name", sa.String(255), nullable=False),
    sa.Column("dimensions", sa.Text, nullable=False),
    sa.Column("series_key", sa.String(64), nullable=False),  # hex SHA-256
    sa.Column("last_published", sa.Float, nullable=False),  # seconds since the epoch
    sa.UniqueConstraint("account_id", "region", "series_key", name="uq_cloudwatch_metrics_series"),
    sa.Index("ix_cloudwatch_metrics_name", "account_id", "region", "namespace", "metric_name"),
)

# Aggregates of a series per time bucket and unit; `timestamp` is the bucket's start in epoch
# seconds (60 s buckets, or 1 s for high-resolution data). Writers merge into a row by upsert.
cloudwatch_datapoints = sa.Table(
    "cloudwatch_datapoints",
    metadata,
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
