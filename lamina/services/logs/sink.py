"""The execution layer's way into CloudWatch Logs: write a function's output to a stream.

Like Lambda, it creates the log group and stream when they are missing. Not an AWS API, so
none of PutLogEvents' batch rules apply: what a function printed is always kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.engine import Connection

from lamina.services.logs import events, groups, streams
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
        with self.store.write() as conn:
            for (account_id, region, group, stream), events in batches.items():
                if not events:
                    continue
                # Stable sort: lines of the same millisecond keep their order.
                batch = sorted(events, key=lambda event: event[0])
                group_id = _group(conn, account_id, region, group, now)
                stream_id = _stream(conn, group_id, stream, now)
                write_batch(conn, group_id, stream_id, batch, now)


def write_batch(
    conn: Connection, group_id: int, stream_id: int, batch: Sequence[tuple[int, str]], now: int
) -> int:
    """Insert a batch in time order and note it on its stream; answer the stream's sequence."""
    size = sum(events.event_size(message) for _, message in batch)
    events.insert(conn, group_id, stream_id, batch, now)
    return streams.record_batch(conn, stream_id, batch[0][0], batch[-1][0], now, size)


def _group(conn: Connection, account: str, region: str, name: str, now: int) -> int:
    found = groups.get(conn, account, region, name)
    if found is not None:
        return found.id
    try:
        return groups.insert(conn, account, region, name, now)
    except groups.AlreadyExists:  # created meanwhile by another node
        again = groups.get(conn, account, region, name)
        assert again is not None
        return again.id


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
