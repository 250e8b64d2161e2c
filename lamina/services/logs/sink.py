"""The execution layer's way into CloudWatch Logs: write a function's output to a stream.

Like Lambda, it creates the log group and stream when they are missing. Not an AWS API, so
none of PutLogEvents' batch rules apply: what a function printed is always kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.engine import Connection

from lamina.services.logs import groups, segments, streams
from lamina.services.logs.retention import now_ms
from lamina.store import Store

StreamKey = tuple[str, str, str, str]  # account, region, group, stream


class LogSink:
    def __init__(self, store: Store) -> None:
        self.store = store

    def write(
        self,
        account_id: str,
        region: str,
        group: str,
        stream: str,
        events: Sequence[tuple[int, str]],
    ) -> None:
        """Store `events` (timestamp in ms, message), durably, in one transaction. Thread-safe:
        the store serializes writers where it must (SQLite) and PostgreSQL does the rest."""
        self.write_many({(account_id, region, group, stream): events})

    def write_many(self, batches: Mapping[StreamKey, Sequence[tuple[int, str]]]) -> None:
        """Several streams' events in one transaction: the execution layer gathers a few
        milliseconds of every environment's output and writes it at once."""
        now = now_ms()
        group_ids: dict[tuple[str, str, str], int] = {}  # one lookup a group, not a stream
        with self.store.write() as conn:
            # In one order on every node: two flushes touching the same streams lock their
            # rows in the same order, so they cannot deadlock (PostgreSQL).
            for (account_id, region, group, stream), events in sorted(
                batches.items(), key=lambda item: item[0]
            ):
                if not events:
                    continue
                # Stable sort: lines of the same millisecond keep their order.
                packed = segments.pack(sorted(events, key=lambda event: event[0]))
                where = (account_id, region, group)
                if where not in group_ids:
                    group_ids[where] = _group(conn, account_id, region, group, now)
                group_id = group_ids[where]
                stream_id = streams.record_named(conn, group_id, stream, packed, now)
                if stream_id is None:  # a new stream
                    stream_id = _stream(conn, group_id, stream, now)
                    streams.record_batch(conn, stream_id, packed, now)
                segments.insert(conn, group_id, stream_id, packed, now)


def write_batch(
    conn: Connection, group_id: int, stream_id: int, batch: Sequence[tuple[int, str]], now: int
) -> int:
    """Store a batch in time order and note it on its stream; answer the stream's sequence."""
    packed = segments.pack(batch)
    segments.insert(conn, group_id, stream_id, packed, now)
    return streams.record_batch(conn, stream_id, packed, now)


def _group(conn: Connection, account: str, region: str, name: str, now: int) -> int:
    found = groups.find_id(conn, account, region, name)
    if found is not None:
        return found
    try:
        return groups.insert(conn, account, region, name, now)
    except groups.AlreadyExists:  # created meanwhile by another node
        again = groups.find_id(conn, account, region, name)
        assert again is not None
        return again


def _stream(conn: Connection, group_id: int, name: str, now: int) -> int:
    found = streams.get(conn, group_id, name)
    if found is not None:
        return found.id
    try:
        return streams.insert(conn, group_id, name, now)
    except streams.AlreadyExists:  # created meanwhile by another node
        again = streams.get(conn, group_id, name)
        assert again is not None
        return again.id
