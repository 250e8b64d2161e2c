"""Log streams in the store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.services.logs import segments
from lamina.store.rows import insert_new
from lamina.store.schema import logs_streams as streams


@dataclass(frozen=True)
class LogStream:
    id: int
    name: str
    creation_time: int
    first_event_timestamp: int | None
    last_event_timestamp: int | None
    last_ingestion_time: int | None
    stored_bytes: int
    sequence: int


class AlreadyExists(Exception):
    pass


_SELECT = sa.select(
    streams.c.id,
    streams.c.name,
    streams.c.creation_time,
    streams.c.first_event_timestamp,
    streams.c.last_event_timestamp,
    streams.c.last_ingestion_time,
    streams.c.stored_bytes,
    streams.c.sequence,
)
_GET = _SELECT.where(
    streams.c.group_id == sa.bindparam("group"), streams.c.name == sa.bindparam("name")
)
_PREFIX = sa.bindparam("prefix", type_=sa.String())
_IN_GROUP = (
    streams.c.group_id == sa.bindparam("group"),
    # substr, not LIKE: LIKE ignores case on SQLite, and names are case-sensitive.
    sa.func.substr(streams.c.name, 1, sa.func.length(_PREFIX)) == _PREFIX,
)
# A stream without events sorts as if its last event were at time 0.
_LAST_EVENT = sa.func.coalesce(streams.c.last_event_timestamp, 0)


def _lowest(column: Any, value: Any) -> Any:
    return sa.case((column.is_(None), value), (column > value, value), else_=column)


def _highest(column: Any, value: Any) -> Any:
    return sa.case((column.is_(None), value), (column < value, value), else_=column)


_RECORD_VALUES = {
    "first_event_timestamp": _lowest(streams.c.first_event_timestamp, sa.bindparam("first")),
    "last_event_timestamp": _highest(streams.c.last_event_timestamp, sa.bindparam("last")),
    "last_ingestion_time": sa.bindparam("ingested"),
    "stored_bytes": streams.c.stored_bytes + sa.bindparam("size"),
    "sequence": streams.c.sequence + 1,
    "segment_span": _highest(streams.c.segment_span, sa.bindparam("span")),
}
_RECORD = (
    streams.update()
    .where(streams.c.id == sa.bindparam("stream"))
    .values(_RECORD_VALUES)
    .returning(streams.c.sequence)
)
# The same, finding the stream by name: one statement, not a lookup and an update.
_RECORD_NAMED = (
    streams.update()
    .where(
        streams.c.group_id == sa.bindparam("group"),
        streams.c.name == sa.bindparam("stream_name"),
    )
    .values(_RECORD_VALUES)
    .returning(streams.c.id)
)


def get(conn: Connection, group_id: int, name: str) -> LogStream | None:
    row = conn.execute(_GET, {"group": group_id, "name": name}).first()
    return LogStream(*row) if row else None


def insert(conn: Connection, group_id: int, name: str, now: int) -> int:
    row = streams.insert().values(
        group_id=group_id, name=name, creation_time=now, stored_bytes=0, sequence=0
    )
    return insert_new(conn, row, AlreadyExists(name))


def delete(conn: Connection, stream_id: int) -> None:
    segments.delete_stream(conn, stream_id)
    conn.execute(streams.delete().where(streams.c.id == stream_id))


def record_batch(conn: Connection, stream_id: int, packed: segments.Packed, ingested: int) -> int:
    """Note a batch on its stream; answer the stream's new sequence number."""
    found = _recorded(packed, ingested, stream=stream_id)
    return int(conn.execute(_RECORD, found).scalar_one())


def record_named(
    conn: Connection, group_id: int, name: str, packed: segments.Packed, ingested: int
) -> int | None:
    """Note a batch on the group's stream of this name; answer its id, None if there is none."""
    found = _recorded(packed, ingested, group=group_id, stream_name=name)
    row = conn.execute(_RECORD_NAMED, found).first()
    return None if row is None else int(row[0])


def _recorded(packed: segments.Packed, ingested: int, **where: Any) -> dict[str, Any]:
    found = {"first": packed.first, "last": packed.last, "size": packed.size}
    return dict(found, span=packed.span, ingested=ingested, **where)


def release_bytes(conn: Connection, sizes: dict[int, int]) -> None:
    """Subtract what expired events took from their streams' storedBytes."""
    for stream_id, size in sizes.items():
        conn.execute(
            streams.update()
            .where(streams.c.id == stream_id)
            .values(stored_bytes=streams.c.stored_bytes - size)
        )


def page(
    conn: Connection,
    group_id: int,
    prefix: str,
    by_last_event: bool,
    descending: bool,
    after: list[Any] | None,
    limit: int,
) -> list[LogStream]:
    """Streams in the order DescribeLogStreams asks for, after the key `after` of the last
    stream of the previous page: [name] by name, [last event time, name] by LastEventTime."""
    order = [_LAST_EVENT, streams.c.name] if by_last_event else [streams.c.name]
    query = _SELECT.where(*_IN_GROUP)
    if after is not None:
        key = sa.tuple_(*order)
        query = query.where(key < tuple(after) if descending else key > tuple(after))
    query = query.order_by(*(c.desc() if descending else c for c in order)).limit(limit)
    rows = conn.execute(query, {"group": group_id, "prefix": prefix})
    return [LogStream(*row) for row in rows]


def sort_key(stream: LogStream, by_last_event: bool) -> list[Any]:
    return [stream.last_event_timestamp or 0, stream.name] if by_last_event else [stream.name]


def ids(conn: Connection, group_id: int, names: list[str] | None, prefix: str | None) -> list[int]:
    """The ids of the group's streams with these names, or with this name prefix."""
    query = sa.select(streams.c.id).where(streams.c.group_id == group_id)
    if names is not None:
        query = query.where(streams.c.name.in_(names))
    if prefix:
        query = query.where(sa.func.substr(streams.c.name, 1, len(prefix)) == prefix)
    return [int(row[0]) for row in conn.execute(query)]
