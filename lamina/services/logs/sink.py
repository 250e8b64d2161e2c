"""The execution layer's way into CloudWatch Logs: write a function's output to a stream.

Like Lambda, it creates the log group and stream when they are missing. Not an AWS API, so
none of PutLogEvents' batch rules apply: what a function printed is always kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from lamina.services.logs import groups, segments, streams
from lamina.services.logs.retention import now_ms
from lamina.store import Store

StreamKey = tuple[str, str, str, str]  # account, region, group, stream


class LogSink:
    def __init__(self, store: Store) -> None:
        self.store = store
        # The (group id, stream id) of streams this sink wrote to: a busy node writes to the
        # same few hundred streams every flush, and a lookup each is most of a flush's cost.
        # Forgotten when a stream or group is deleted here, and when the store is reset
        # (SQLite may then hand the same ids out again); an id deleted by another node
        # (PostgreSQL, whose ids are never reused) fails the segment's foreign key, and the
        # flush is written again the slow way.
        self._ids: dict[StreamKey, tuple[int, int]] = {}
        self._resets = store.resets

    def forget(self) -> None:
        """Streams or groups were deleted: look every stream up again (call it inside the
        deleting transaction, so no flush between the delete and this uses a stale id)."""
        self._ids = {}

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
        # In one order on every node: two flushes touching the same streams lock their
        # rows in the same order, so they cannot deadlock (PostgreSQL).
        ordered = [
            # Stable sort: lines of the same millisecond keep their order.
            (key, segments.pack(sorted(events, key=lambda event: event[0])))
            for key, events in sorted(batches.items(), key=lambda item: item[0])
            if events
        ]
        if not ordered:
            return
        try:
            self._write(ordered, now_ms())
        except IntegrityError:  # a cached stream was deleted by another node
            self._ids = {}
            self._write(ordered, now_ms())

    def _write(self, ordered: list[tuple[StreamKey, segments.Packed]], now: int) -> None:
        # Ids learned in this transaction are remembered once it has committed: a stream made
        # in one that rolls back does not exist, and SQLite may give its id to another.
        learned: dict[StreamKey, tuple[int, int]] = {}
        with self.store.write() as conn:
            if self._resets != self.store.resets:
                self._ids, self._resets = {}, self.store.resets
            known: list[tuple[int, int, segments.Packed]] = []
            # Updates of cached streams go in one executemany, but never past a stream looked
            # up the slow way: rows are locked in key order either way.
            pending: list[tuple[int, segments.Packed]] = []
            group_ids: dict[tuple[str, str, str], int] = {}  # one lookup a group, not a stream
            for key, packed in ordered:
                ids = self._ids.get(key)
                if ids is None:
                    streams.record_many(conn, pending, now)
                    pending = []
                    account_id, region, group, stream = key
                    where = (account_id, region, group)
                    if where not in group_ids:
                        group_ids[where] = _group(conn, account_id, region, group, now)
                    group_id = group_ids[where]
                    stream_id = streams.record_named(conn, group_id, stream, packed, now)
                    if stream_id is None:  # a new stream
                        stream_id = _stream(conn, group_id, stream, now)
                        streams.record_batch(conn, stream_id, packed, now)
                    learned[key] = (group_id, stream_id)
                    known.append((group_id, stream_id, packed))
                else:
                    pending.append((ids[1], packed))
                    known.append((*ids, packed))
            streams.record_many(conn, pending, now)
            segments.insert_many(conn, known, now)
        if len(self._ids) + len(learned) > _MAX_CACHED:
            self._ids = {}
        self._ids.update(learned)


_MAX_CACHED = 10_000


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
