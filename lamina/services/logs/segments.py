"""Log segments: each write's events of one stream, packed into one row.

A log event is cheap to accept: a write (one PutLogEvents, one flush of a function's output)
adds one row and one entry in each of two indexes a stream, however many events it holds.
The row says what reads and retention need without unpacking it (the first and last
timestamp, how many events, their storedBytes); the events themselves are one JSON array of
[timestamp, message] pairs in time order, arrival order within a millisecond.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.store.prepared import Prepared
from lamina.store.schema import logs_segments as segments
from lamina.store.schema import logs_streams as streams

# What each event adds to storedBytes, and to a PutLogEvents batch's size: AWS's own count.
EVENT_OVERHEAD = 26
# A write larger than these is stored as several segments, so no read unpacks much more than
# it needs, and a segment's time span stays short (reads look that far back of a time).
MAX_EVENTS = 10_000  # PutLogEvents' own limit
MAX_BYTES = 1_048_576  # PutLogEvents' own limit
MAX_SPAN_MS = 60_000

_pack = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_unpack = json.JSONDecoder().decode


def event_size(message: str) -> int:
    if message.isascii():  # most log lines: no need to encode them to count
        return len(message) + EVENT_OVERHEAD
    return len(message.encode("utf-8")) + EVENT_OVERHEAD


@dataclass(frozen=True)
class Piece:
    first: int
    last: int
    count: int
    size: int
    events: str  # packed


@dataclass(frozen=True)
class Packed:
    """A batch packed into segments, ready to store; and what it adds to its stream."""

    pieces: list[Piece]
    first: int
    last: int
    size: int
    span: int  # the longest span of its segments


def pack(batch: Sequence[tuple[int, str]]) -> Packed:
    """A batch already in time order as one segment (several if it is large)."""
    pieces = [
        Piece(piece[0][0], piece[-1][0], len(piece), size, _pack(piece))
        for piece, size in _pieces(batch)
    ]
    size = sum(piece.size for piece in pieces)
    span = max(piece.last - piece.first for piece in pieces)
    return Packed(pieces, batch[0][0], batch[-1][0], size, span)


_COLUMNS = [
    "stream_id", "group_id", "first_timestamp", "last_timestamp", "ingestion_time",
    "first_index", "event_count", "stored_bytes", "events",
]  # fmt: skip
_INSERT = Prepared(segments.insert(), _COLUMNS)


def insert(conn: Connection, group_id: int, stream_id: int, packed: Packed, now: int) -> None:
    rows = [
        {
            "stream_id": stream_id,
            "group_id": group_id,
            "first_timestamp": piece.first,
            "last_timestamp": piece.last,
            "ingestion_time": now,
            "first_index": 0,
            "event_count": piece.count,
            "stored_bytes": piece.size,
            "events": piece.events,
        }
        for piece in packed.pieces
    ]
    _INSERT.run(conn, rows)


def _pieces(batch: Sequence[tuple[int, str]]) -> Iterator[tuple[Sequence[tuple[int, str]], int]]:
    """The batch cut where a segment would grow past a limit, with each piece's size."""
    size = sum(event_size(message) for _, message in batch)
    if len(batch) <= MAX_EVENTS and size <= MAX_BYTES and batch[-1][0] - batch[0][0] <= MAX_SPAN_MS:
        yield batch, size  # the usual case: one segment
        return
    begin, size = 0, 0
    for index, (timestamp, message) in enumerate(batch):
        grown = event_size(message)
        if index > begin and (
            index - begin == MAX_EVENTS
            or size + grown > MAX_BYTES
            or timestamp - batch[begin][0] > MAX_SPAN_MS
        ):
            yield batch[begin:index], size
            begin, size = index, 0
        size += grown
    yield batch[begin:], size


def unpack(text: str) -> list[list[Any]]:
    """A segment's events: [timestamp, message] pairs."""
    return _unpack(text)


# -- reading: which segments may hold events of a time range -------------------------------

_CURSOR = sa.tuple_(sa.bindparam("cursor_ts"), sa.bindparam("cursor_id"))
_KEY = sa.tuple_(segments.c.first_timestamp, segments.c.id)
_SELECT = (
    sa.select(
        segments.c.id,
        segments.c.stream_id,
        segments.c.first_timestamp,
        segments.c.ingestion_time,
        segments.c.first_index,
        segments.c.events,
        streams.c.name,
    )
    .select_from(segments.join(streams, streams.c.id == segments.c.stream_id))
    .where(
        # Holds a time in [lo, hi]. No segment begins more than its stream's span before its
        # last event, which bounds the range of the index to scan.
        segments.c.last_timestamp >= sa.bindparam("lo"),
        segments.c.first_timestamp >= sa.bindparam("earliest"),
        segments.c.first_timestamp <= sa.bindparam("hi"),
    )
)
_FORWARD = _SELECT.where(_KEY > _CURSOR).order_by(segments.c.first_timestamp, segments.c.id)
_BACKWARD = _SELECT.where(_KEY < _CURSOR).order_by(
    segments.c.first_timestamp.desc(), segments.c.id.desc()
)


def overlapping(
    conn: Connection, scope: Any, where: dict[str, Any], backward: bool, limit: int
) -> list[Any]:
    """Up to `limit` segments of `scope` (a condition on stream or group) that may hold an
    event in [lo, hi] and begin at `earliest` or later, after (before, backward) `cursor`
    (first timestamp, id), in order of their first timestamp; with their stream's name."""
    query = (_BACKWARD if backward else _FORWARD).where(scope).limit(limit)
    return list(conn.execute(query, where))


# -- retention and deletion ----------------------------------------------------------------

_EXPIRED = segments.delete().where(
    segments.c.group_id == sa.bindparam("group"),
    segments.c.first_timestamp < sa.bindparam("cutoff"),
    segments.c.last_timestamp < sa.bindparam("cutoff"),
)
_STRADDLING = sa.select(segments.c.id, segments.c.first_timestamp, segments.c.events).where(
    segments.c.group_id == sa.bindparam("group"),
    segments.c.first_timestamp < sa.bindparam("cutoff"),
)
_TRIM = (
    segments.update()
    # Only if no one trimmed it meanwhile (another node's sweep): bytes are freed once.
    .where(segments.c.id == sa.bindparam("segment"))
    .where(segments.c.first_timestamp == sa.bindparam("was"))
    .values(
        first_timestamp=sa.bindparam("first"),
        first_index=segments.c.first_index + sa.bindparam("dropped"),
        event_count=segments.c.event_count - sa.bindparam("dropped"),
        stored_bytes=segments.c.stored_bytes - sa.bindparam("freed"),
        events=sa.bindparam("packed"),
    )
    .returning(segments.c.stream_id)
)


def expire(conn: Connection, group_id: int, cutoff: int) -> dict[int, int]:
    """Delete the group's events older than `cutoff`; answer the bytes freed per stream.
    Whole segments go at once; one that began earlier and ends later loses its older events.
    The sizes come back from the DELETE (UPDATE) itself, so two nodes sweeping at once never
    both free the same events."""
    found = {"group": group_id, "cutoff": cutoff}
    freed: dict[int, int] = {}
    returning = _EXPIRED.returning(segments.c.stream_id, segments.c.stored_bytes)
    for stream_id, size in conn.execute(returning, found):
        freed[stream_id] = freed.get(stream_id, 0) + int(size)
    for segment_id, was, text in conn.execute(_STRADDLING, found).all():
        packed = unpack(text)
        dropped = next(i for i, (timestamp, _) in enumerate(packed) if timestamp >= cutoff)
        size = sum(event_size(message) for _, message in packed[:dropped])
        trim = {"segment": segment_id, "was": was, "first": packed[dropped][0]}
        trim.update(dropped=dropped, freed=size, packed=_pack(packed[dropped:]))
        for (stream_id,) in conn.execute(_TRIM, trim):
            freed[stream_id] = freed.get(stream_id, 0) + size
    return freed


def delete_stream(conn: Connection, stream_id: int) -> None:
    conn.execute(segments.delete().where(segments.c.stream_id == stream_id))


def delete_group(conn: Connection, group_id: int) -> None:
    conn.execute(segments.delete().where(segments.c.group_id == group_id))
