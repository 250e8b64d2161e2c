"""Reading log events: GetLogEvents (one stream) and FilterLogEvents (a group, by pattern)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from lamina.context import RequestContext
from lamina.services.logs import events, groups, patterns, segments, streams, tokens
from lamina.services.logs.errors import invalid_parameter, invalid_token, not_supported
from lamina.services.logs.names import group_name
from lamina.services.logs.retention import now_ms, oldest_kept
from lamina.services.registry import store_read

MAX_EVENTS = 10_000  # both operations' default and largest limit
MAX_RESPONSE_BYTES = 1_048_576  # GetLogEvents: "as many log events as can fit in ... 1 MB"
# FilterLogEvents stops after this many events and answers a nextToken, possibly with no
# events (as AWS does): one call never scans a whole large group.
MAX_SCAN = 100_000


class LogReadOperations:
    """Mixed into LogsProvider, which supplies the store and finding groups and streams."""

    store: Any

    def find_group(self, conn: Connection, ctx: RequestContext, name: str) -> groups.LogGroup:
        raise NotImplementedError

    def find_stream(self, conn: Connection, group_id: int, name: str) -> streams.LogStream:
        raise NotImplementedError

    @store_read
    def get_log_events(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("nextToken"):
            direction, key = tokens.read_stream_token(params["nextToken"])
        else:
            direction, key = ("f" if params.get("startFromHead") else "b"), tokens.FIRST
        with self.store.read() as conn:
            group = self.find_group(conn, ctx, group_name(params))
            stream = self.find_stream(conn, group.id, params["logStreamName"])
            where = events.bounds(
                start=_kept_from(group, params.get("startTime")),
                end=params.get("endTime"),  # exclusive, as documented for GetLogEvents
                after=key if direction == "f" else None,
                before=key if direction == "b" and params.get("nextToken") else None,
            )
            limit = params.get("limit", MAX_EVENTS)
            found = events.read_stream(conn, stream.id, where, limit, direction == "b")
        found = _fitting(found)
        if direction == "b":
            found.reverse()  # a page is always oldest first
        first, last = (found[0].key, found[-1].key) if found else (key, key)
        return {
            "events": [
                {"timestamp": e.timestamp, "message": e.message, "ingestionTime": e.ingestion_time}
                for e in found
            ],
            # At either end of the stream the token passed in comes back, as AWS documents.
            "nextForwardToken": tokens.stream_token("f", last),
            "nextBackwardToken": tokens.stream_token("b", first),
        }

    def filter_log_events(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        names, prefix = params.get("logStreamNames"), params.get("logStreamNamePrefix")
        if names and prefix:
            # AWS documents the error, not its wording.
            raise invalid_parameter(
                "logStreamNames and logStreamNamePrefix are mutually exclusive parameters."
            )
        pattern = _pattern(params.get("filterPattern"))
        newest_first, key = _filter_position(params)
        limit = params.get("limit", MAX_EVENTS)
        with self.store.read() as conn:
            group = self.find_group(conn, ctx, group_name(params))
            ids = streams.ids(conn, group.id, names, prefix) if names or prefix else None
            bounds = {
                "start": _kept_from(group, params.get("startTime")),
                "end": None if params.get("endTime") is None else params["endTime"] + 1,
            }
            matched, key, more = _scan(
                conn, group.id, ids, bounds, key, newest_first, pattern, limit
            )
        result: dict[str, Any] = {
            "events": [
                {
                    "logStreamName": e.stream_name,
                    "timestamp": e.timestamp,
                    "message": e.message,
                    "ingestionTime": e.ingestion_time,
                    "eventId": tokens.event_id(e.key),
                }
                for e in matched
            ],
            "searchedLogStreams": [],  # AWS: no longer supported, always empty
        }
        if more and key is not None:
            result["nextToken"] = tokens.encode({"b": newest_first, "k": list(key)})
        return result


def _scan(
    conn: Connection,
    group_id: int,
    stream_ids: list[int] | None,
    bounds: dict[str, Any],
    key: tokens.EventKey | None,
    newest_first: bool,
    pattern: patterns.FilterPattern,
    limit: int,
) -> tuple[list[events.Event], tokens.EventKey | None, bool]:
    """Matching events from `key` on, up to `limit`; with the last key seen, and whether
    there may be more."""
    matched: list[events.Event] = []
    scanned = 0
    where = events.bounds(**bounds, **{"before" if newest_first else "after": key})
    for event in events.scan_group(conn, group_id, stream_ids, where, newest_first):
        if scanned == MAX_SCAN:
            return matched, key, True
        key, scanned = event.key, scanned + 1
        if pattern.matches(event.message):
            matched.append(event)
            if len(matched) == limit:
                return matched, key, True
    return matched, key, False


def _filter_position(params: dict[str, Any]) -> tuple[bool, tokens.EventKey | None]:
    """(newest first?, key of the last event already served) from the nextToken, if any."""
    if not params.get("nextToken"):
        return params.get("startFromHead") is False, None
    state = tokens.decode(params["nextToken"])
    try:
        newest_first, (timestamp, row) = bool(state["b"]), state["k"]
        return newest_first, (int(timestamp), int(row))
    except (TypeError, KeyError, ValueError):
        raise invalid_token() from None


def _pattern(text: str | None) -> patterns.FilterPattern:
    try:
        return patterns.parse(text)
    except patterns.UnsupportedPattern:
        raise not_supported(f"the filter pattern '{text}'") from None


def _kept_from(group: groups.LogGroup, start: int | None) -> int:
    """The earliest timestamp to read: the caller's start, but nothing past the retention."""
    return max(start or 0, oldest_kept(group.retention_in_days, now_ms()))


def _fitting(found: list[events.Event]) -> list[events.Event]:
    """As many events, in reading order, as fit in one response."""
    total = 0
    for index, event in enumerate(found):
        total += segments.event_size(event.message)
        if total > MAX_RESPONSE_BYTES:
            return found[: max(index, 1)]
    return found
