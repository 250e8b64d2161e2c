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
    # The last version number published: numbers are never reused, even once deleted.
    sa.Column("last_version", sa.Integer, nullable=False, server_default="0"),
    sa.UniqueConstraint("account_id", "region", "name", name="uq_lambda_functions_name"),
)

# One row per version: '$LATEST', and each published one ('1', '2', ...). `config` is the
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

# A function's aliases: each names a version ('$LATEST' or published), and `routing` the
# AdditionalVersionWeights ({version: weight}, empty when it routes to one version).
lambda_aliases = sa.Table(
    "lambda_aliases",
    metadata,
    sa.Column(
        "function_id",
        sa.Integer,
        sa.ForeignKey("lambda_functions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("name", sa.String(128), primary_key=True),
    sa.Column("function_version", sa.String(16), nullable=False),
    sa.Column("description", sa.String(256), nullable=False),
    sa.Column("routing", sa.JSON, nullable=False),
    sa.Column("revision_id", sa.String(36), nullable=False),
)

# Provisioned concurrency configs: one row per published version or alias of a function that
# keeps `requested` environments initialized ahead of need (their state is the node's).
lambda_provisioned_concurrency = sa.Table(
    "lambda_provisioned_concurrency",
    metadata,
    sa.Column(
        "function_id",
        sa.Integer,
        sa.ForeignKey("lambda_functions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("qualifier", sa.String(128), primary_key=True),
    sa.Column("requested", sa.Integer, nullable=False),
    sa.Column("last_modified", sa.String(40), nullable=False),
)

# The durable work queue (lamina/work/): whatever must happen later, one row per item, written
# in the transaction that caused it and deleted in the one that finishes it. While a node runs
# an item, the row is leased to that node, so the items of a node that dies run again once the
# lease is given up or runs out. `payload` is the item's kind's packing of what it carries.
work_items = sa.Table(
    "work_items",
    metadata,
    sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    sa.Column("kind", sa.String(64), nullable=False),  # e.g. "lambda:invoke"
    sa.Column("account_id", sa.String(12), nullable=False),
    sa.Column("region", sa.String(32), nullable=False),
    sa.Column("payload", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),  # seconds since the epoch
    sa.Column("due_at", sa.Float, nullable=False),  # not to run before this
    sa.Column("attempts", sa.Integer, nullable=False),  # runs that failed, as its kind counts
    sa.Column("lease_owner", sa.String(128), nullable=True),  # the node running it
    sa.Column("lease_until", sa.Float, nullable=True),
    sa.Index("ix_work_items_due", "kind", "due_at"),
    sa.Index("ix_work_items_lease", "lease_owner"),
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
    # The longest time any of its segments spans (last - first timestamp): how far back of
    # a time a segment holding events of that time may begin.
    sa.Column("segment_span", sa.BigInteger, nullable=False, server_default="0"),
    sa.UniqueConstraint("group_id", "name", name="uq_logs_streams_name"),
)

# A stream's events, one row a write ("segment"): the events of that write packed in one
# column (segments.py says how), with what reads and retention need to skip a segment
# without unpacking it. One index entry a write, not one an event. group_id is repeated from
# the stream so a whole group is read by time on one index.
logs_segments = sa.Table(
    "logs_segments",
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
    sa.Column("first_timestamp", sa.BigInteger, nullable=False),  # its events' earliest, ms
    sa.Column("last_timestamp", sa.BigInteger, nullable=False),  # and latest
    sa.Column("ingestion_time", sa.BigInteger, nullable=False),  # one write, one time
    # How many events retention took off the front: the first packed event's place.
    sa.Column("first_index", sa.Integer, nullable=False),
    sa.Column("event_count", sa.Integer, nullable=False),
    sa.Column("stored_bytes", sa.BigInteger, nullable=False),  # as storedBytes counts them
    sa.Column("events", sa.Text, nullable=False),
    sa.Index("ix_logs_segments_stream_time", "stream_id", "first_timestamp", "id"),
    sa.Index("ix_logs_segments_group_time", "group_id", "first_timestamp", "id"),
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

# IAM: global per account (no region). Names are unique per account whatever their case
# (`name_key` is the lower-cased name), and keep the case they were created with. ARNs are
# derived from account, path and name; ids are AWS-shaped (AROA…, AIDA…, …).
iam_roles = sa.Table(
    "iam_roles",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("account_id", sa.String(12), nullable=False),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("name_key", sa.String(64), nullable=False),
    sa.Column("path", sa.String(512), nullable=False),
    sa.Column("role_id", sa.String(32), nullable=False),
    sa.Column("trust_policy", sa.Text, nullable=False),  # the document as it was sent
    sa.Column("description", sa.String(1000), nullable=True),
    sa.Column("max_session_duration", sa.Integer, nullable=False),
    sa.Column("permissions_boundary", sa.String(2048), nullable=True),  # a policy ARN
    sa.Column("created_at", sa.Float, nullable=False),  # seconds since the epoch
    sa.Column("last_used_at", sa.Float, nullable=True),
    sa.Column("last_used_region", sa.String(32), nullable=True),
    sa.UniqueConstraint("account_id", "name_key", name="uq_iam_roles_name"),
    sa.Index("ix_iam_roles_role_id", "role_id"),
)

iam_users = sa.Table(
    "iam_users",
    metadata,
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

iam_groups = sa.Table(
    "iam_groups",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("account_id", sa.String(12), nullable=False),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("name_key", sa.String(128), nullable=False),
    sa.Column("path", sa.String(512), nullable=False),
    sa.Column("group_id", sa.String(32), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.UniqueConstraint("account_id", "name_key", name="uq_iam_groups_name"),
)

iam_group_members = sa.Table(
    "iam_group_members",
    metadata,
    sa.Column(
        "group_row",
        sa.Integer,
        sa.ForeignKey("iam_groups.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "user_row", sa.Integer, sa.ForeignKey("iam_users.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("added_at", sa.Float, nullable=False),
)

# Customer managed policies; AWS managed ones are a data file in the package, never rows.
iam_policies = sa.Table(
    "iam_policies",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("account_id", sa.String(12), nullable=False),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("name_key", sa.String(128), nullable=False),
    sa.Column("path", sa.String(512), nullable=False),
    sa.Column("policy_id", sa.String(32), nullable=False),
    sa.Column("description", sa.String(1000), nullable=True),
    sa.Column("default_version", sa.String(16), nullable=False),
    sa.Column("next_version", sa.Integer, nullable=False),  # version numbers are never reused
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.UniqueConstraint("account_id", "name_key", name="uq_iam_policies_name"),
)

iam_policy_versions = sa.Table(
    "iam_policy_versions",
    metadata,
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

# A managed policy (customer or AWS, by ARN) attached to a role, user or group (by row id).
iam_attachments = sa.Table(
    "iam_attachments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("account_id", sa.String(12), nullable=False),
    sa.Column("policy_arn", sa.String(2048), nullable=False),
    sa.Column("principal_kind", sa.String(8), nullable=False),  # role, user, group
    sa.Column("principal_row", sa.Integer, nullable=False),
    sa.UniqueConstraint("principal_kind", "principal_row", "policy_arn", name="uq_iam_attachments"),
    sa.Index("ix_iam_attachments_policy", "account_id", "policy_arn"),
)

# Inline policies of roles, users and groups.
iam_inline_policies = sa.Table(
    "iam_inline_policies",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("principal_kind", sa.String(8), nullable=False),
    sa.Column("principal_row", sa.Integer, nullable=False),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("document", sa.Text, nullable=False),
    sa.UniqueConstraint("principal_kind", "principal_row", "name", name="uq_iam_inline_policies"),
)

iam_access_keys = sa.Table(
    "iam_access_keys",
    metadata,
    sa.Column("access_key_id", sa.String(32), primary_key=True),
    sa.Column("account_id", sa.String(12), nullable=False),
    sa.Column(
        "user_row", sa.Integer, sa.ForeignKey("iam_users.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("secret", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # Active, Inactive
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("last_used_at", sa.Float, nullable=True),
    sa.Column("last_used_service", sa.String(64), nullable=True),
    sa.Column("last_used_region", sa.String(32), nullable=True),
    sa.Index("ix_iam_access_keys_user", "user_row"),
)

iam_instance_profiles = sa.Table(
    "iam_instance_profiles",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("account_id", sa.String(12), nullable=False),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("name_key", sa.String(128), nullable=False),
    sa.Column("path", sa.String(512), nullable=False),
    sa.Column("profile_id", sa.String(32), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.UniqueConstraint("account_id", "name_key", name="uq_iam_instance_profiles_name"),
)

iam_instance_profile_roles = sa.Table(
    "iam_instance_profile_roles",
    metadata,
    sa.Column(
        "profile_row",
        sa.Integer,
        sa.ForeignKey("iam_instance_profiles.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "role_row", sa.Integer, sa.ForeignKey("iam_roles.id", ondelete="CASCADE"), primary_key=True
    ),
)

# DeleteServiceLinkedRole's tasks, for GetServiceLinkedRoleDeletionStatus.
iam_deletion_tasks = sa.Table(
    "iam_deletion_tasks",
    metadata,
    sa.Column("task_id", sa.String(512), primary_key=True),
    sa.Column("account_id", sa.String(12), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

# STS: temporary credentials (GetSessionToken, AssumeRole, AssumeRoleWithWebIdentity), one
# row per access key, with the identity they resolve to; kept a day past expiry, so a late
# use is answered ExpiredToken rather than as an unknown key.
sts_sessions = sa.Table(
    "sts_sessions",
    metadata,
    sa.Column("access_key_id", sa.String(32), primary_key=True),  # ASIA…
    sa.Column("secret", sa.String(64), nullable=False),
    sa.Column("session_token", sa.Text, nullable=False),
    sa.Column("account_id", sa.String(12), nullable=False),  # of the identity
    sa.Column("kind", sa.String(16), nullable=False),  # root, iam-user, assumed-role
    sa.Column("arn", sa.String(2048), nullable=False),
    sa.Column("user_id", sa.String(256), nullable=False),
    sa.Column("user_name", sa.String(64), nullable=True),
    sa.Column("role_arn", sa.String(2048), nullable=True),
    sa.Column("role_id", sa.String(32), nullable=True),
    sa.Column("session_name", sa.String(64), nullable=True),
    sa.Column("chained", sa.Boolean, nullable=False, default=False),
    sa.Column("web_identity", sa.String(2048), nullable=True),  # the OIDC issuer
    sa.Column("source_identity", sa.String(64), nullable=True),
    sa.Column("tags", sa.Text, nullable=True),  # JSON [[key, value], …]
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
    sa.Index("ix_sts_sessions_expires", "expires_at"),
)

# SQS: queues per account and region. `attributes` holds what was set (JSON, AWS's strings);
# what was not set reads as AWS's default.
sqs_queues = sa.Table(
    "sqs_queues",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("account_id", sa.String(12), nullable=False),
    sa.Column("region", sa.String(32), nullable=False),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("fifo", sa.Boolean, nullable=False),
    sa.Column("attributes", sa.Text, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("modified_at", sa.Float, nullable=False),
    sa.Column("purged_at", sa.Float, nullable=True),
    sa.UniqueConstraint("account_id", "region", "name", name="uq_sqs_queues_name"),
)

# A queue's name may not be used again for 60 s after DeleteQueue (QueueDeletedRecently).
sqs_deleted_queues = sa.Table(
    "sqs_deleted_queues",
    metadata,
    sa.Column("account_id", sa.String(12), primary_key=True),
    sa.Column("region", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(80), primary_key=True),
    sa.Column("deleted_at", sa.Float, nullable=False),
)

# Messages of every queue until deleted or expired. A message is visible once `visible_at`
# has passed; a receive moves it on by the visibility timeout and gives it a new `receipt`,
# the only one that may delete it or change its visibility from then on.
sqs_messages = sa.Table(
    "sqs_messages",
    metadata,
    sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    sa.Column(
        "queue_id", sa.Integer, sa.ForeignKey("sqs_queues.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("message_id", sa.String(36), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("attributes", sa.Text, nullable=True),  # JSON MessageAttributes, binary in base64
    sa.Column("system_attributes", sa.Text, nullable=True),  # JSON MessageSystemAttributes
    sa.Column("md5_body", sa.String(32), nullable=False),
    sa.Column("md5_attributes", sa.String(32), nullable=True),
    sa.Column("md5_system", sa.String(32), nullable=True),
    sa.Column("sender_id", sa.String(128), nullable=False),
    sa.Column("sent_at", sa.BigInteger, nullable=False),  # ms since the epoch
    sa.Column("visible_at", sa.Float, nullable=False),  # s since the epoch
    sa.Column("receive_count", sa.Integer, nullable=False, default=0),
    sa.Column("first_received_at", sa.BigInteger, nullable=True),  # ms
    sa.Column("receipt", sa.String(32), nullable=True),
    sa.Column("group_id", sa.String(128), nullable=True),
    sa.Column("dedup_id", sa.String(128), nullable=True),
    sa.Column("source_arn", sa.String(256), nullable=True),  # DeadLetterQueueSourceArn
    sa.Index("ix_sqs_messages_visible", "queue_id", "visible_at", "id"),
    sa.Index("ix_sqs_messages_group", "queue_id", "group_id", "id"),
)

# FIFO deduplication: an id seen in the last 5 minutes, and the message it was sent as.
sqs_deduplication = sa.Table(
    "sqs_deduplication",
    metadata,
    sa.Column(
        "queue_id", sa.Integer, sa.ForeignKey("sqs_queues.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("scope", sa.String(128), primary_key=True),  # the group, or '' for the queue
    sa.Column("dedup_id", sa.String(128), primary_key=True),
    sa.Column("message_id", sa.String(36), nullable=False),
    sa.Column("sequence_number", sa.String(20), nullable=True),
    sa.Column("expires_at", sa.Float, nullable=False),
    sa.Index("ix_sqs_deduplication_expires", "expires_at"),
)

# FIFO ReceiveRequestAttemptId: what a receive returned, for a retry within 5 minutes.
sqs_receive_attempts = sa.Table(
    "sqs_receive_attempts",
    metadata,
    sa.Column(
        "queue_id", sa.Integer, sa.ForeignKey("sqs_queues.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("attempt_id", sa.String(128), primary_key=True),
    sa.Column("received", sa.Text, nullable=False),  # JSON [[message row id, receipt], …]
    sa.Column("expires_at", sa.Float, nullable=False),
)

# StartMessageMoveTask: accepted work, carried on by whichever node holds its lease.
sqs_move_tasks = sa.Table(
    "sqs_move_tasks",
    metadata,
    sa.Column("task_handle", sa.String(512), primary_key=True),
    sa.Column("account_id", sa.String(12), nullable=False),
    sa.Column("region", sa.String(32), nullable=False),
    sa.Column("source_arn", sa.String(256), nullable=False),
    sa.Column("destination_arn", sa.String(256), nullable=True),
    sa.Column("max_per_second", sa.Integer, nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("started_at", sa.BigInteger, nullable=False),  # ms
    sa.Column("moved", sa.BigInteger, nullable=False, default=0),
    sa.Column("to_move", sa.BigInteger, nullable=False, default=0),
    sa.Column("failure_reason", sa.Text, nullable=True),
    sa.Column("lease_owner", sa.String(128), nullable=True),
    sa.Column("lease_until", sa.Float, nullable=True),
    sa.Index("ix_sqs_move_tasks_source", "source_arn", "started_at"),
)

# Lambda's event source mappings: a pull-based source (an SQS queue) and the function its
# records go to. No foreign key to the function: on AWS a mapping outlives DeleteFunction (it
# stays, and fails). `state` is AWS's (Creating, Enabled, Disabling …), advanced by the pollers;
# `enabled` is what the caller asked for; `config` holds the batching and filtering settings.
lambda_event_source_mappings = sa.Table(
    "lambda_event_source_mappings",
    metadata,
    sa.Column("uuid", sa.String(36), primary_key=True),
    sa.Column("account_id", sa.String(12), nullable=False),
    sa.Column("region", sa.String(32), nullable=False),
    sa.Column("function_name", sa.String(64), nullable=False),
    sa.Column("function_arn", sa.String(256), nullable=False),  # with its qualifier, if any
    sa.Column("event_source_arn", sa.String(1024), nullable=False),
    sa.Column("enabled", sa.Boolean, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("config", sa.JSON, nullable=False),
    sa.Column("last_modified", sa.Float, nullable=False),  # seconds since the epoch
    sa.Column("created_at", sa.Float, nullable=False),
    sa.UniqueConstraint("event_source_arn", "function_arn", name="uq_lambda_esm_source_function"),
    sa.Index("ix_lambda_esm_function", "account_id", "region", "function_name"),
)

# The poller framework's leases: one row per worker of a mapping (an SQS queue has one; a
# stream, one per shard), held by the node that polls it and renewed while it does, so one
# node at a time polls a given worker's share of a source.
poller_leases = sa.Table(
    "poller_leases",
    metadata,
    sa.Column("mapping", sa.String(36), primary_key=True),
    sa.Column("worker", sa.String(128), primary_key=True),
    sa.Column("owner", sa.String(128), nullable=True),
    sa.Column("lease_until", sa.Float, nullable=True),
)

# A function's resource-based policies (AddPermission), one per function and qualifier ('' for
# the unqualified function): the statements as GetPolicy shows them. The policy's RevisionId is
# that of what it is on (the function's), which AddPermission and RemovePermission renew.
lambda_policies = sa.Table(
    "lambda_policies",
    metadata,
    sa.Column(
        "function_id",
        sa.Integer,
        sa.ForeignKey("lambda_functions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("qualifier", sa.String(128), primary_key=True),
    sa.Column("statements", sa.JSON, nullable=False),
)

# Function URLs: one per function and qualifier ('' for $LATEST, else an alias name), found by
# its url-id on every data-plane request. `config` holds AuthType, Cors and InvokeMode.
lambda_function_urls = sa.Table(
    "lambda_function_urls",
    metadata,
    sa.Column("url_id", sa.String(32), primary_key=True),
    sa.Column(
        "function_id",
        sa.Integer,
        sa.ForeignKey("lambda_functions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("qualifier", sa.String(128), nullable=False),
    sa.Column("config", sa.JSON, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("last_modified", sa.Float, nullable=False),
    sa.UniqueConstraint("function_id", "qualifier", name="uq_lambda_function_urls"),
)

# Lambda layers (lamina/services/lambda_/layer_store.py): one row per layer name, holding the
# last version number given out, so numbers are never reused after a version is deleted.
lambda_layers = sa.Table(
    "lambda_layers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("account_id", sa.String(12), nullable=False),
    sa.Column("region", sa.String(32), nullable=False),
    sa.Column("name", sa.String(140), nullable=False),
    sa.Column("last_version", sa.Integer, nullable=False),
    sa.UniqueConstraint("account_id", "region", "name", name="uq_lambda_layers_name"),
)

# One row per published layer version. A deleted version keeps its row (deleted=True): as on
# AWS, functions that use it keep running it, but it can no longer be read or added. `config`
# is the GetLayerVersion answer, less what is derived; `policy` its permission statements.
lambda_layer_versions = sa.Table(
    "lambda_layer_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "layer_id",
        sa.Integer,
        sa.ForeignKey("lambda_layers.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("config", sa.JSON, nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),  # the zip's blob
    sa.Column("unzipped_size", sa.BigInteger, nullable=False),
    sa.Column("statements", sa.JSON, nullable=False),
    sa.Column("revision_id", sa.String(36), nullable=False),
    sa.Column("deleted", sa.Boolean, nullable=False),
    sa.UniqueConstraint("layer_id", "version", name="uq_lambda_layer_versions"),
)

# API Gateway HTTP APIs (apigatewayv2): one row per API, found by its id on every data-plane
# request; `config` is what GetApi shows, less what is derived (ApiEndpoint, CreatedDate).
apigwv2_apis = sa.Table(
    "apigwv2_apis",
    metadata,
    sa.Column("api_id", sa.String(10), primary_key=True),
    sa.Column("account_id", sa.String(12), nullable=False),
    sa.Column("region", sa.String(32), nullable=False),
    sa.Column("config", sa.JSON, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

# An API's routes, integrations, stages and deployments, one row each: `kind` says which,
# `item_id` is its RouteId, IntegrationId, StageName or DeploymentId, `config` what its Get
# shows (a deployment's also holds the routes and integrations it snapshotted).
apigwv2_items = sa.Table(
    "apigwv2_items",
    metadata,
    sa.Column(
        "api_id",
        sa.String(10),
        sa.ForeignKey("apigwv2_apis.api_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("item_id", sa.String(128), primary_key=True),
    sa.Column("config", sa.JSON, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

# API Gateway REST APIs. `config` is the GetRestApi answer less what is derived (id, name,
# createdDate, rootResourceId). API ids are unique across REST and HTTP APIs (one generator).
apigateway_rest_apis = sa.Table(
    "apigateway_rest_apis",
    metadata,
    sa.Column("api_id", sa.String(10), primary_key=True),
    sa.Column("account_id", sa.String(12), nullable=False),
    sa.Column("region", sa.String(32), nullable=False),
    sa.Column("name", sa.String(1024), nullable=False),
    sa.Column("root_id", sa.String(10), nullable=False),
    sa.Column("config", sa.JSON, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

# A REST API's resources: its path tree. `methods` holds each method with its integration and
# method/integration responses, as GetMethod answers them (httpMethod → Method).
apigateway_resources = sa.Table(
    "apigateway_resources",
    metadata,
    sa.Column(
        "api_id",
        sa.String(10),
        sa.ForeignKey("apigateway_rest_apis.api_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("resource_id", sa.String(10), primary_key=True),
    sa.Column("parent_id", sa.String(10), nullable=True),  # None: the root resource `/`
    sa.Column("path_part", sa.String(255), nullable=True),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("methods", sa.JSON, nullable=False),
    sa.UniqueConstraint("api_id", "path", name="uq_apigateway_resources_path"),
)

# A deployment: a snapshot of the API's resources, methods and integrations (and what the data
# plane needs of the API itself) at CreateDeployment; later changes wait for the next one.
apigateway_deployments = sa.Table(
    "apigateway_deployments",
    metadata,
    sa.Column(
        "api_id",
        sa.String(10),
        sa.ForeignKey("apigateway_rest_apis.api_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("deployment_id", sa.String(10), primary_key=True),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("snapshot", sa.JSON, nullable=False),
)

# A stage: a name a deployment answers at, with its variables. `config` is the GetStage
# answer less what is derived (stageName, deploymentId, dates).
apigateway_stages = sa.Table(
    "apigateway_stages",
    metadata,
    sa.Column(
        "api_id",
        sa.String(10),
        sa.ForeignKey("apigateway_rest_apis.api_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("stage_name", sa.String(128), primary_key=True),
    sa.Column("deployment_id", sa.String(10), nullable=False),
    sa.Column("config", sa.JSON, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

# A WebSocket API's open connections, one row each while its socket is open: the node that
# holds the socket (the one that can deliver to it) and what GetConnection answers.
apigwv2_connections = sa.Table(
    "apigwv2_connections",
    metadata,
    sa.Column("connection_id", sa.String(32), primary_key=True),
    sa.Column("api_id", sa.String(10), nullable=False),
    sa.Column("stage", sa.String(128), nullable=False),
    sa.Column("node", sa.String(128), nullable=False),
    sa.Column("source_ip", sa.String(64), nullable=False),
    sa.Column("user_agent", sa.String(512), nullable=False),
    sa.Column("connected_at", sa.Float, nullable=False),
    sa.Index("apigwv2_connections_by_node", "node"),
)

# What a node that does not hold a WebSocket connection asks its holder to do with it
# (`action` post: send `data`; delete: close it), until the holder takes it.
apigwv2_deliveries = sa.Table(
    "apigwv2_deliveries",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("node", sa.String(128), nullable=False),
    sa.Column("connection_id", sa.String(32), nullable=False),
    sa.Column("action", sa.String(8), nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Index("apigwv2_deliveries_by_node", "node"),
)

# Nodes of a fleet that hold WebSocket connections, renewed every few seconds: the rows of a
# node that stopped renewing (it died) are dropped by any other (holders.py).
apigwv2_holders = sa.Table(
    "apigwv2_holders",
    metadata,
    sa.Column("node", sa.String(128), primary_key=True),
    sa.Column("renewed_at", sa.Float, nullable=False),
)

# API Gateway REST APIs' account-wide items: API keys (kind `apikey`, `lookup` the key's
# value, as the data plane finds it), usage plans (`usageplan`), a plan's keys (`plankey`,
# item_id `{plan}/{key}`, lookup the key id) and Lambda authorizers (`authorizer`, item_id
# `{api}/{authorizer}`, lookup the API id). `config` is what the Get shows, less the dates.
apigateway_account_items = sa.Table(
    "apigateway_account_items",
    metadata,
    sa.Column("account_id", sa.String(12), primary_key=True),
    sa.Column("region", sa.String(32), primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("item_id", sa.String(64), primary_key=True),
    sa.Column("lookup", sa.String(128), nullable=True, index=True),
    sa.Column("config", sa.JSON, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

# Requests a usage plan counted for an API key, per UTC day (YYYY-MM-DD): GetUsage's figures
# and the quotas' counts. The data plane adds to them in batches (usage.py).
apigateway_usage = sa.Table(
    "apigateway_usage",
    metadata,
    sa.Column("plan_id", sa.String(16), primary_key=True),
    sa.Column("key_id", sa.String(16), primary_key=True),
    sa.Column("day", sa.String(10), primary_key=True),
    sa.Column("used", sa.BigInteger, nullable=False),
)

# API Gateway custom domain names, shared by both APIs as on AWS (a domain made with
# `apigateway` is one `apigatewayv2` shows). `host` is the name lowercased: a request's Host
# finds it, so it is unique across accounts and regions on Lamina. `target_id` is the
# `d-xxxxxxxxxx` of the hostname the domain is served at; `config` what the Gets show.
apigateway_domain_names = sa.Table(
    "apigateway_domain_names",
    metadata,
    sa.Column("host", sa.String(253), primary_key=True),
    sa.Column("account_id", sa.String(12), nullable=False),
    sa.Column("region", sa.String(32), nullable=False),
    sa.Column("target_id", sa.String(12), nullable=False, unique=True),
    sa.Column("config", sa.JSON, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

# A domain's base path mappings (apigateway) or API mappings (apigatewayv2), one row each:
# `mapping_key` the base path ('' for the root; `v1/orders` for multi-level ones), the API
# and stage it serves (stage NULL: a REST API's mapping that takes the stage from the path).
apigateway_domain_mappings = sa.Table(
    "apigateway_domain_mappings",
    metadata,
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
