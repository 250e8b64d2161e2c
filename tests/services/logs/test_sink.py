"""LogSink (the execution layer's way in) and the retention sweep, on a store of their own."""

from __future__ import annotations

import threading

import pytest

from lamina.services.logs import events, groups, retention, segments, streams
from lamina.services.logs.sink import LogSink
from lamina.store import Store
from tests.services.logs.conftest import now_ms

DAY = 86_400_000


def read_all(store: Store, account: str, group: str, stream: str) -> list[tuple[int, str]]:
    with store.read() as conn:
        found = groups.get(conn, account, "us-east-1", group)
        assert found is not None
        log_stream = streams.get(conn, found.id, stream)
        assert log_stream is not None
        rows = events.read_stream(conn, log_stream.id, events.bounds(), 10_000, False)
    return [(e.timestamp, e.message) for e in rows]


def test_write_creates_the_group_and_stream_as_lambda_does(store):
    now = now_ms()
    LogSink(store).write("000000000000", "us-east-1", "/aws/lambda/f", "2024/[$LATEST]x", [
        (now, "START RequestId: 1"),
        (now + 1, "END RequestId: 1"),
    ])  # fmt: skip
    assert read_all(store, "000000000000", "/aws/lambda/f", "2024/[$LATEST]x") == [
        (now, "START RequestId: 1"),
        (now + 1, "END RequestId: 1"),
    ]
    with store.read() as conn:
        group = groups.get(conn, "000000000000", "us-east-1", "/aws/lambda/f")
        assert group is not None
        assert group.stored_bytes == len("START RequestId: 1END RequestId: 1") + 2 * 26
        stream = streams.get(conn, group.id, "2024/[$LATEST]x")
        assert stream is not None
        assert (stream.first_event_timestamp, stream.last_event_timestamp) == (now, now + 1)


def test_write_appends_to_an_existing_stream_and_keeps_accounts_apart(store):
    sink = LogSink(store)
    sink.write("111111111111", "us-east-1", "g", "s", [(1_000, "a")])
    sink.write("111111111111", "us-east-1", "g", "s", [(2_000, "b")])
    sink.write("222222222222", "us-east-1", "g", "s", [(3_000, "c")])
    assert read_all(store, "111111111111", "g", "s") == [(1_000, "a"), (2_000, "b")]
    assert read_all(store, "222222222222", "g", "s") == [(3_000, "c")]


def test_write_of_nothing_does_nothing(store):
    LogSink(store).write("000000000000", "us-east-1", "g", "s", [])
    with store.read() as conn:
        assert groups.get(conn, "000000000000", "us-east-1", "g") is None


def test_write_is_safe_from_many_threads(store):
    sink = LogSink(store)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(10):
                sink.write("000000000000", "us-east-1", "g", "s", [(n * 100 + i, f"{n}-{i}")])
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(read_all(store, "000000000000", "g", "s")) == 80


def test_sweep_deletes_events_past_the_retention_and_frees_their_bytes(store):
    now = now_ms()
    sink = LogSink(store)
    # Multi-byte text: storedBytes counts UTF-8 bytes, the sweep must free as many.
    sink.write("000000000000", "us-east-1", "g", "s", [(now - 3 * DAY, "ölé"), (now, "new")])
    sink.write("000000000000", "us-east-1", "forever", "s", [(now - 3 * DAY, "old")])
    with store.write() as conn:
        group = groups.get(conn, "000000000000", "us-east-1", "g")
        assert group is not None
        groups.set_retention(conn, group.id, 1)
    assert retention.sweep(store, now) == 1
    assert read_all(store, "000000000000", "g", "s") == [(now, "new")]
    assert read_all(store, "000000000000", "forever", "s") == [(now - 3 * DAY, "old")]
    with store.read() as conn:
        swept = groups.get(conn, "000000000000", "us-east-1", "g")
        assert swept is not None and swept.stored_bytes == len("new") + 26
    assert retention.sweep(store, now) == 0  # nothing left to delete


def test_sweeper_thread_runs_and_stops(store):
    now = now_ms()
    LogSink(store).write("000000000000", "us-east-1", "g", "s", [(now - 3 * DAY, "old")])
    with store.write() as conn:
        group = groups.get(conn, "000000000000", "us-east-1", "g")
        assert group is not None
        groups.set_retention(conn, group.id, 1)
    sweeper = retention.Sweeper(store, interval=0.01)
    sweeper.start()
    try:
        for _ in range(500):
            if not read_all(store, "000000000000", "g", "s"):
                break
            threading.Event().wait(0.01)
    finally:
        sweeper.stop()
    assert read_all(store, "000000000000", "g", "s") == []
    assert not sweeper._thread.is_alive()


def test_store_reset_clears_log_tables(store):
    LogSink(store).write("000000000000", "us-east-1", "g", "s", [(1, "x")])
    store.reset()
    with store.read() as conn:
        assert groups.get(conn, "000000000000", "us-east-1", "g") is None


def test_write_many_puts_several_streams_in_one_go(store):
    now = now_ms()
    LogSink(store).write_many({
        ("000000000000", "us-east-1", "/aws/lambda/a", "s1"): [(now + 1, "second"), (now, "first")],
        ("000000000000", "us-east-1", "/aws/lambda/a", "s2"): [(now, "other stream")],
        ("000000000000", "us-east-1", "/aws/lambda/b", "s1"): [(now, "other group")],
        ("000000000000", "us-east-1", "/aws/lambda/c", "s1"): [],
    })  # fmt: skip
    assert read_all(store, "000000000000", "/aws/lambda/a", "s1") == [
        (now, "first"),
        (now + 1, "second"),
    ]
    assert read_all(store, "000000000000", "/aws/lambda/a", "s2") == [(now, "other stream")]
    assert read_all(store, "000000000000", "/aws/lambda/b", "s1") == [(now, "other group")]
    with store.read() as conn:  # an empty batch creates nothing
        assert groups.get(conn, "000000000000", "us-east-1", "/aws/lambda/c") is None


def test_a_stream_deleted_behind_the_sinks_back_is_made_again(store):
    """Another node deleted a stream this sink remembers: the segment's foreign key fails, and
    the flush is written again with the stream looked up (and made) anew."""
    sink, now = LogSink(store), now_ms()
    key = ("000000000000", "us-east-1", "/aws/lambda/f", "s")
    sink.write_many({key: [(now, "one")]})
    with store.write() as conn:  # not through the provider: the sink is not told
        group = groups.get(conn, "000000000000", "us-east-1", "/aws/lambda/f")
        assert group is not None
        stream = streams.get(conn, group.id, "s")
        assert stream is not None
        streams.delete(conn, stream.id)
    sink.write_many({key: [(now + 1, "two")]})
    assert read_all(store, "000000000000", "/aws/lambda/f", "s") == [(now + 1, "two")]


def test_remembered_streams_are_forgotten_when_the_store_is_reset(store):
    """After a reset SQLite hands the same ids out again: a remembered id would name a stream
    of another group."""
    sink, now = LogSink(store), now_ms()
    sink.write_many({("000000000000", "us-east-1", "/g/one", "s"): [(now, "first")]})
    store.reset()
    LogSink(store).write_many({("000000000000", "us-east-1", "/g/two", "s"): [(now, "other")]})
    sink.write_many({("000000000000", "us-east-1", "/g/one", "s"): [(now + 1, "second")]})
    assert read_all(store, "000000000000", "/g/one", "s") == [(now + 1, "second")]
    assert read_all(store, "000000000000", "/g/two", "s") == [(now, "other")]


def test_remembered_streams_keep_their_counts_right(store):
    sink, now = LogSink(store), now_ms()
    keys = [("000000000000", "us-east-1", "/aws/lambda/f", f"s{i}") for i in range(3)]
    for flush in range(4):
        sink.write_many({key: [(now + flush, f"{key[3]} {flush}")] for key in keys})
    with store.read() as conn:
        group = groups.get(conn, "000000000000", "us-east-1", "/aws/lambda/f")
        assert group is not None
        for key in keys:
            stream = streams.get(conn, group.id, key[3])
            assert stream is not None
            assert (stream.first_event_timestamp, stream.last_event_timestamp) == (now, now + 3)
            assert stream.stored_bytes == 4 * (len(f"{key[3]} 0") + 26)
            assert stream.sequence == 4
    assert [m for _, m in read_all(store, "000000000000", "/aws/lambda/f", "s1")] == [
        "s1 0", "s1 1", "s1 2", "s1 3"
    ]  # fmt: skip


def test_a_stream_made_in_a_flush_that_failed_is_not_remembered(store, monkeypatch):
    """The flush rolled back, so its new stream never was; SQLite may give that id to the next
    stream made, and a remembered id would send this sink's lines there."""
    sink, now = LogSink(store), now_ms()
    mine = ("000000000000", "us-east-1", "/aws/lambda/f", "mine")

    def fail(*args, **kwargs):
        raise RuntimeError("the disk is full")

    with monkeypatch.context() as patched:
        patched.setattr(segments, "insert_many", fail)
        with pytest.raises(RuntimeError):
            sink.write_many({mine: [(now, "lost")]})
    other = ("000000000000", "us-east-1", "/aws/lambda/f", "other")
    LogSink(store).write_many({other: [(now, "theirs")]})
    sink.write_many({mine: [(now + 1, "kept")]})
    assert read_all(store, "000000000000", "/aws/lambda/f", "mine") == [(now + 1, "kept")]
    assert read_all(store, "000000000000", "/aws/lambda/f", "other") == [(now, "theirs")]
