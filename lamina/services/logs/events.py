"""Log events in the store, read in time order: (timestamp, id) is every event's key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.services.logs.tokens import EventKey
from lamina.store.schema import logs_events as events
from lamina.store.schema import logs_streams as streams

# What each event adds to storedBytes, and to a PutLogEvents batch's size: AWS's own count.
EVENT_OVERHEAD = 26


def event_size(message: str) -> int:
    return len(message.encode("utf-8")) + EVENT_OVERHEAD


@dataclass(frozen=True)
class Event:
    id: int
    timestamp: int
    ingestion_time: int
    message: str
    stream_name: str = ""

    @property
    def key(self) -> EventKey:
        return (self.timestamp, self.id)


_KEY = sa.tuple_(events.c.timestamp, events.c.id)
_AFTER = sa.tuple_(sa.bindparam("after_ts"), sa.bindparam("after_id"))
_BEFORE = sa.tuple_(sa.bindparam("before_ts"), sa.bindparam("before_id"))
_IN_TIME = (
    events.c.timestamp >= sa.bindparam("start"),
    events.c.timestamp < sa.bindparam("end"),
    sa.tuple_(*_AFTER) < _KEY,
    sa.tuple_(*_BEFORE) > _KEY,
)
_COLUMNS = (events.c.id, events.c.timestamp, events.c.ingestion_time, events.c.message)
_STREAM = sa.select(*_COLUMNS).where(events.c.stream_id == sa.bindparam("stream"), *_IN_TIME)
# One stream's events, oldest or newest first.
_STREAM_UP = _STREAM.order_by(events.c.timestamp, events.c.id).limit(sa.bindparam("limit"))
_STREAM_DOWN = _STREAM.order_by(events.c.timestamp.desc(), events.c.id.desc()).limit(
    sa.bindparam("limit")
)
_GROUP = (
    sa.select(*_COLUMNS, streams.c.name)
    .select_from(events.join(streams, streams.c.id == events.c.stream_id))
    .where(events.c.group_id == sa.bindparam("group"), *_IN_TIME)
)
_EXPIRED = (events.c.group_id == sa.bindparam("group"), events.c.timestamp < sa.bindparam("cutoff"))


# storedBytes counts UTF-8 bytes; SQLite's length() of text counts characters, of a blob bytes.
# The sizes come back from the DELETE itself, so two nodes sweeping at once never both
# subtract the same events from storedBytes.
_EXPIRE = {
    dialect: events.delete()
    .where(*_EXPIRED)
    .returning(events.c.stream_id, utf8_length + EVENT_OVERHEAD)
    for dialect, utf8_length in (
        ("postgresql", sa.func.octet_length(events.c.message)),
        ("sqlite", sa.func.length(sa.cast(events.c.message, sa.LargeBinary))),
    )
}

# Bounds that let every event through; callers narrow what they need.
_NO_BOUNDS = {
    "start": 0,
    "end": 2**62,
    "after_ts": -1,
    "after_id": 0,
    "before_ts": 2**62,
    "before_id": 0,
}


def insert(
    conn: Connection,
    group_id: int,
    stream_id: int,
    batch: Sequence[tuple[int, str]],
    ingested: int,
) -> None:
    common = {"group_id": group_id, "stream_id": stream_id, "ingestion_time": ingested}
    rows = [dict(common, timestamp=ts, message=message) for ts, message in batch]
    conn.execute(events.insert(), rows)


def bounds(**given: Any) -> dict[str, Any]:
    """Query parameters: start/end (ms), after/before (event keys); None means unbounded."""
    found = dict(_NO_BOUNDS)
    for name in ("start", "end"):
        if given.get(name) is not None:
            found[name] = given[name]
    for name in ("after", "before"):
        if given.get(name) is not None:
            found[f"{name}_ts"], found[f"{name}_id"] = given[name]
    return found


def read_stream(
    conn: Connection, stream_id: int, where: dict[str, Any], limit: int, newest_first: bool
) -> list[Event]:
    query = _STREAM_DOWN if newest_first else _STREAM_UP
    rows = conn.execute(query, dict(where, stream=stream_id, limit=limit))
    return [Event(*row) for row in rows]


def read_group(
    conn: Connection,
    group_id: int,
    stream_ids: list[int] | None,
    where: dict[str, Any],
    limit: int,
    newest_first: bool,
) -> list[Event]:
    query = _GROUP
    if stream_ids is not None:
        query = query.where(events.c.stream_id.in_(stream_ids))
    if newest_first:
        query = query.order_by(events.c.timestamp.desc(), events.c.id.desc())
    else:
        query = query.order_by(events.c.timestamp, events.c.id)
    rows = conn.execute(query.limit(limit), dict(where, group=group_id))
    return [Event(*row) for row in rows]


def expire(conn: Connection, group_id: int, cutoff: int) -> dict[int, int]:
    """Delete the group's events older than `cutoff`; answer the bytes freed per stream."""
    found = {"group": group_id, "cutoff": cutoff}
    sizes: dict[int, int] = {}
    for stream_id, size in conn.execute(_EXPIRE[conn.dialect.name], found):
        sizes[stream_id] = sizes.get(stream_id, 0) + int(size)
    return sizes
