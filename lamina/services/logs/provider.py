"""CloudWatch Logs: log groups, log streams, PutLogEvents and retention.

Reading events (GetLogEvents, FilterLogEvents) is in `reading.py`; this class gathers both.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from lamina.config import Settings
from lamina.context import RequestContext
from lamina.services import tagging
from lamina.services.logs import groups, ingest, streams, tokens
from lamina.services.logs.errors import (
    group_exists,
    group_not_found,
    invalid_parameter,
    not_supported,
    stream_exists,
    stream_not_found,
)
from lamina.services.logs.names import group_arn, group_name
from lamina.services.logs.present import log_group, log_stream, sequence_token
from lamina.services.logs.reading import LogReadOperations
from lamina.services.logs.retention import RETENTION_DAYS, Sweeper, now_ms
from lamina.services.logs.sink import LogSink, write_batch
from lamina.services.registry import Provider, store_read
from lamina.store import Store

DEFAULT_PAGE = 50  # DescribeLogGroups and DescribeLogStreams: "up to 50 items"


class LogsProvider(LogReadOperations, Provider):
    service_name = "logs"

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.sink = LogSink(store)
        interval = float(settings.extra.get("logs_retention_sweep_seconds", 60))
        self.sweeper = Sweeper(store, interval)
        self.sweeper.start()

    def close(self) -> None:
        self.sweeper.stop()

    # -- log groups ------------------------------------------------------------------------

    def find_group(self, conn: Connection, ctx: RequestContext, name: str) -> groups.LogGroup:
        found = groups.get(conn, ctx.account_id, ctx.region, name)
        if found is None:
            raise group_not_found()
        return found

    def create_log_group(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["logGroupName"]
        if params.get("deletionProtectionEnabled"):
            raise not_supported("deletion protection (deletionProtectionEnabled)")
        options = {
            "log_group_class": params.get("logGroupClass"),
            "kms_key_id": params.get("kmsKeyId"),
        }
        with self.store.write() as conn:
            try:
                groups.insert(conn, ctx.account_id, ctx.region, name, now_ms(), **options)
            except groups.AlreadyExists:
                raise group_exists() from None
            tagging.put_tags(
                conn, group_arn(ctx.region, ctx.account_id, name), params.get("tags") or {}
            )
        return {}

    def delete_log_group(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["logGroupName"]
        with self.store.write() as conn:
            groups.delete(conn, self.find_group(conn, ctx, name).id)
            self.sink.forget()
            tagging.remove_tags(conn, group_arn(ctx.region, ctx.account_id, name))
        return {}

    @store_read
    def describe_log_groups(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        for unsupported in ("logGroupNamePattern", "logGroupIdentifiers", "accountIdentifiers"):
            if params.get(unsupported):
                raise not_supported(f"{unsupported} in DescribeLogGroups")
        limit = params.get("limit", DEFAULT_PAGE)
        after = tokens.decode(params["nextToken"]) if params.get("nextToken") else ""
        if not isinstance(after, str):
            raise invalid_parameter("The specified nextToken is invalid.")
        prefix = params.get("logGroupNamePrefix", "")
        with self.store.read() as conn:
            found = groups.page(conn, ctx.account_id, ctx.region, prefix, after, limit + 1)
        if params.get("logGroupClass"):
            found = [g for g in found if g.log_group_class == params["logGroupClass"]]
        result: dict[str, Any] = {
            "logGroups": [log_group(ctx.region, ctx.account_id, g) for g in found[:limit]]
        }
        if len(found) > limit:
            result["nextToken"] = tokens.encode(found[limit - 1].name)
        return result

    def put_retention_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        days = params["retentionInDays"]
        if days not in RETENTION_DAYS:
            allowed = ", ".join(str(d) for d in RETENTION_DAYS)
            raise invalid_parameter(
                f"1 validation error detected: Value '{days}' at 'retentionInDays' failed to "
                f"satisfy constraint: Member must satisfy enum value set: [{allowed}]"
            )
        with self.store.write() as conn:
            groups.set_retention(conn, self.find_group(conn, ctx, params["logGroupName"]).id, days)
        return {}

    def delete_retention_policy(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.write() as conn:
            groups.set_retention(conn, self.find_group(conn, ctx, params["logGroupName"]).id, None)
        return {}

    # -- log streams -----------------------------------------------------------------------

    def find_stream(self, conn: Connection, group_id: int, name: str) -> streams.LogStream:
        found = streams.get(conn, group_id, name)
        if found is None:
            raise stream_not_found()
        return found

    def create_log_stream(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            group = self.find_group(conn, ctx, params["logGroupName"])
            try:
                streams.insert(conn, group.id, params["logStreamName"], now_ms())
            except streams.AlreadyExists:
                raise stream_exists() from None
        return {}

    def delete_log_stream(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            group = self.find_group(conn, ctx, params["logGroupName"])
            streams.delete(conn, self.find_stream(conn, group.id, params["logStreamName"]).id)
            self.sink.forget()
        return {}

    @store_read
    def describe_log_streams(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        by_last_event = params.get("orderBy") == "LastEventTime"
        prefix = params.get("logStreamNamePrefix", "")
        if by_last_event and prefix:
            raise invalid_parameter("Cannot order by LastEventTime with a logStreamNamePrefix.")
        limit = params.get("limit", DEFAULT_PAGE)
        after = tokens.decode(params["nextToken"]) if params.get("nextToken") else None
        if after is not None and (not isinstance(after, list) or len(after) != 1 + by_last_event):
            raise invalid_parameter("The specified nextToken is invalid.")
        descending = bool(params.get("descending"))
        name = group_name(params)
        with self.store.read() as conn:
            group = self.find_group(conn, ctx, name)
            found = streams.page(
                conn, group.id, prefix, by_last_event, descending, after, limit + 1
            )
        shown = [log_stream(ctx.region, ctx.account_id, name, s) for s in found[:limit]]
        result: dict[str, Any] = {"logStreams": shown}
        if len(found) > limit:
            result["nextToken"] = tokens.encode(streams.sort_key(found[limit - 1], by_last_event))
        return result

    # -- writing events --------------------------------------------------------------------

    def put_log_events(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        # sequenceToken is accepted and ignored, as AWS has done since January 2023.
        now = now_ms()
        with self.store.write() as conn:
            group = self.find_group(conn, ctx, params["logGroupName"])
            stream = self.find_stream(conn, group.id, params["logStreamName"])
            batch = ingest.check(params["logEvents"], now, group.retention_in_days)
            sequence = stream.sequence
            if batch.accepted:
                sequence = write_batch(conn, group.id, stream.id, batch.accepted, now)
        result: dict[str, Any] = {"nextSequenceToken": sequence_token(sequence)}
        if batch.rejected:
            result["rejectedLogEventsInfo"] = batch.rejected
        return result
