"""Segments in the store: one row a stream a write, large writes cut, retention trimming a
segment without moving the events it keeps."""

from __future__ import annotations

import sqlalchemy as sa

from lamina.services.logs import events, groups, retention, segments, streams
from lamina.services.logs.sink import LogSink
from lamina.store import Store
from lamina.store.schema import logs_segments, logs_streams
from tests.services.logs.conftest import now_ms

DAY = 86_400_000
ACCOUNT = "000000000000"


def stream_of(store: Store, group: str, stream: str) -> tuple[groups.LogGroup, streams.LogStream]:
    with store.read() as conn:
        found = groups.get(conn, ACCOUNT, "us-east-1", group)
        assert found is not None
        log_stream = streams.get(conn, found.id, stream)
        assert log_stream is not None
    return found, log_stream


def read(store: Store, stream_id: int, **where) -> list[events.Event]:
    with store.read() as conn:
        return events.read_stream(conn, stream_id, events.bounds(**where), 100_000, False)


def segment_rows(store: Store) -> list[tuple[int, int, int, int]]:
    columns = logs_segments.c
    query = sa.select(
        columns.stream_id, columns.event_count, columns.first_timestamp, columns.last_timestamp
    ).order_by(columns.id)
    with store.read() as conn:
        return [tuple(row) for row in conn.execute(query)]  # type: ignore[misc]


def test_one_flush_is_one_segment_a_stream(store):
    now = now_ms()
    LogSink(store).write_many({
        (ACCOUNT, "us-east-1", "g", "a"): [(now + i, f"a{i}") for i in range(50)],
        (ACCOUNT, "us-east-1", "g", "b"): [(now + i, f"b{i}") for i in range(30)],
    })  # fmt: skip
    _, a = stream_of(store, "g", "a")
    _, b = stream_of(store, "g", "b")
    assert segment_rows(store) == [(a.id, 50, now, now + 49), (b.id, 30, now, now + 29)]
    assert [e.message for e in read(store, a.id)] == [f"a{i}" for i in range(50)]


def test_a_large_write_is_cut_into_segments_that_read_as_one(store):
    now = now_ms() - 3_600_000
    many = [(now, f"m{i}") for i in range(segments.MAX_EVENTS + 5)]
    late = [(now + segments.MAX_SPAN_MS + 1, "a minute later")]
    LogSink(store).write(ACCOUNT, "us-east-1", "g", "s", many + late)
    group, stream = stream_of(store, "g", "s")
    assert [count for _, count, _, _ in segment_rows(store)] == [segments.MAX_EVENTS, 5, 1]
    assert [e.message for e in read(store, stream.id)] == [m for _, m in many + late]
    expected = sum(segments.event_size(m) for _, m in many + late)
    assert group.stored_bytes == expected
    with store.read() as conn:  # each piece holds a single millisecond's events
        span = sa.select(logs_streams.c.segment_span).where(logs_streams.c.id == stream.id)
        assert conn.execute(span).scalar_one() == 0


def test_retention_trims_a_segment_and_keeps_the_keys_of_what_stays(store):
    now = now_ms()
    written = [(now - 3 * DAY, "old ö"), (now - 3 * DAY, "old"), (now - 1000, "kept 1")]
    written += [(now, "kept 2"), (now, "kept 3")]
    LogSink(store).write(ACCOUNT, "us-east-1", "g", "s", written)
    group, stream = stream_of(store, "g", "s")
    before = read(store, stream.id)
    with store.write() as conn:
        groups.set_retention(conn, group.id, 1)
    assert retention.sweep(store, now) == 1
    after = read(store, stream.id)
    assert [(e.key, e.message) for e in after] == [(e.key, e.message) for e in before[2:]]
    # A page token held from before the sweep goes on from the same place.
    on = read(store, stream.id, after=before[2].key)
    assert [e.message for e in on] == ["kept 2", "kept 3"]
    group, _ = stream_of(store, "g", "s")
    assert group.stored_bytes == sum(segments.event_size(m) for _, m in written[2:])
    assert segment_rows(store) == [(stream.id, 3, now - 1000, now)]
    assert retention.sweep(store, now) == 0


def test_deleting_a_stream_or_group_deletes_its_segments(store):
    sink = LogSink(store)
    sink.write(ACCOUNT, "us-east-1", "g", "a", [(1, "x")])
    sink.write(ACCOUNT, "us-east-1", "g", "b", [(1, "y")])
    sink.write(ACCOUNT, "us-east-1", "h", "c", [(1, "z")])
    group, a = stream_of(store, "g", "a")
    with store.write() as conn:
        streams.delete(conn, a.id)
    assert len(segment_rows(store)) == 2
    with store.write() as conn:
        groups.delete(conn, group.id)
    _, c = stream_of(store, "h", "c")
    assert segment_rows(store) == [(c.id, 1, 1, 1)]
