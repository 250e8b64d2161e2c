"""Log events read from their segments in time order: (timestamp, ordinal) is every event's
key, the ordinal being its segment's id and its place in it, so ties keep arrival order."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.services.logs import segments
from lamina.services.logs.tokens import EventKey
from lamina.store.schema import logs_segments
from lamina.store.schema import logs_streams as streams

ORDINALS = 1_000_000  # places in a segment (segments hold at most MAX_EVENTS)
SEGMENT_CHUNK = 64  # segments read at a time while merging


@dataclass(frozen=True)
class Event:
    id: int  # the ordinal
    timestamp: int
    ingestion_time: int
    message: str
    stream_name: str = ""

    @property
    def key(self) -> EventKey:
        return (self.timestamp, self.id)


# Bounds that let every event through; callers narrow what they need.
_NO_BOUNDS = {
    "start": 0,
    "end": 2**62,
    "after_ts": -1,
    "after_id": 0,
    "before_ts": 2**62,
    "before_id": 0,
}


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
    return list(islice(scan_stream(conn, stream_id, where, newest_first), limit))


def scan_stream(
    conn: Connection, stream_id: int, where: dict[str, Any], newest_first: bool
) -> Iterator[Event]:
    """One stream's events within `where`, oldest (or newest) first, read as needed."""
    span = sa.select(streams.c.segment_span).where(streams.c.id == stream_id)
    scope = logs_segments.c.stream_id == stream_id
    return _merged(conn, scope, _span(conn, span), where, newest_first)


def scan_group(
    conn: Connection,
    group_id: int,
    stream_ids: list[int] | None,
    where: dict[str, Any],
    newest_first: bool,
) -> Iterator[Event]:
    """The group's events (of these streams only, if given) interleaved in time order."""
    span = sa.select(sa.func.max(streams.c.segment_span)).where(streams.c.group_id == group_id)
    scope = logs_segments.c.group_id == group_id
    if stream_ids is not None:
        span = span.where(streams.c.id.in_(stream_ids))
        scope = sa.and_(scope, logs_segments.c.stream_id.in_(stream_ids))
    return _merged(conn, scope, _span(conn, span), where, newest_first)


def _span(conn: Connection, query: Any) -> int:
    return int(conn.execute(query).scalar() or 0)


def _merged(
    conn: Connection, scope: Any, span: int, where: dict[str, Any], backward: bool
) -> Iterator[Event]:
    """Events of the segments in `scope`, merged into key order (reversed, backward).

    Segments are read in order of their first timestamp, a chunk at a time. Forward, once
    the segments beginning up to time M are read, no unread one holds an event before M;
    backward, none holds one after M + span (no segment spans more than `span`). Events up
    to that horizon are final and go out; the rest wait for the next chunk.
    """
    after = (where["after_ts"], where["after_id"])
    before = (where["before_ts"], where["before_id"])
    start, end = where["start"], where["end"]
    lo = max(start, after[0])
    query = {
        "lo": lo,
        "earliest": lo - span,
        "hi": min(end - 1, before[0]),
        "cursor_ts": 2**62 if backward else -(2**62),
        "cursor_id": 0,
    }
    sign = -1 if backward else 1
    # Each read segment's events in reading order, and a heap of their next keys.
    lanes: list[tuple[list[tuple[int, int, str]], str, int]] = []
    heap: list[tuple[int, int, int, int]] = []  # (sign * ts, sign * ordinal, lane, place)
    done = False
    while not done or heap:
        if not done:
            rows = segments.overlapping(conn, scope, query, backward, SEGMENT_CHUNK)
            done = len(rows) < SEGMENT_CHUNK
            for segment_id, _, first_ts, ingested, first_index, text, name in rows:
                query["cursor_ts"], query["cursor_id"] = first_ts, segment_id
                base = segment_id * ORDINALS + first_index
                kept = [
                    (ts, base + i, message)
                    for i, (ts, message) in enumerate(segments.unpack(text))
                    if start <= ts < end and after < (ts, base + i) < before
                ]
                if kept:
                    if backward:
                        kept.reverse()
                    heapq.heappush(heap, (sign * kept[0][0], sign * kept[0][1], len(lanes), 0))
                    lanes.append((kept, name, ingested))
        # Forward: events before the horizon; backward: after it (keys are sign * ts).
        horizon = 2**63 if done else sign * query["cursor_ts"] - (span if backward else 0)
        while heap and heap[0][0] < horizon:
            _, _, lane, place = heapq.heappop(heap)
            kept, name, ingested = lanes[lane]
            following = heap[0][:2] if heap else None
            while True:
                ts, ordinal, message = kept[place]
                yield Event(ordinal, ts, ingested, message, name)
                place += 1
                if place == len(kept):
                    lanes[lane] = ([], "", 0)  # read through: let it go
                    break
                key = (sign * kept[place][0], sign * kept[place][1])
                if key[0] >= horizon or (following is not None and key > following):
                    heapq.heappush(heap, (*key, lane, place))
                    break
