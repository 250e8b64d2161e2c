"""Migration 0015: log events stored a row each move into segments, one a write, keeping
their order (ties included), and `logs_events` goes; downgrading brings the rows back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from lamina.services.logs import events, groups, streams
from lamina.services.logs.sink import LogSink
from lamina.store import open_store
from lamina.store.engine import MIGRATIONS
from lamina.store.schema import logs_segments
from tests.conftest import ENGINES, PG_URL, fresh_database

ACCOUNT = "000000000000"
# (id, stream id, timestamp, ingestion time, message): stream 1 is "a", 2 is "b".
OLD_EVENTS = [
    (1, 1, 100, 1000, "a1"),
    (2, 1, 100, 1000, "a2"),
    (3, 2, 100, 1000, "b1"),
    (4, 1, 50, 2000, "a0"),
    (5, 1, 100, 2000, "a3"),
    (6, 2, 90_000, 2000, "ö"),
]


@pytest.fixture(params=ENGINES)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    from sqlalchemy.engine import make_url

    assert PG_URL
    name = f"{make_url(PG_URL).database}_m0015"
    yield fresh_database(PG_URL, name)
    fresh_database(PG_URL, name, drop=True)


def _migrate(engine: sa.Engine, revision: str, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(config, revision)
        conn.commit()


def _old_store(engine: sa.Engine) -> None:
    _migrate(engine, "0014")
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO logs_groups (id, account_id, region, name, creation_time,"
                " log_group_class) VALUES (1, :account, 'us-east-1', 'g', 1, 'STANDARD')"
            ),
            {"account": ACCOUNT},
        )
        for stream_id, name in ((1, "a"), (2, "b")):
            conn.execute(
                sa.text(
                    "INSERT INTO logs_streams (id, group_id, name, creation_time, stored_bytes,"
                    " sequence) VALUES (:id, 1, :name, 1, 0, 2)"
                ),
                {"id": stream_id, "name": name},
            )
        for row in OLD_EVENTS:
            conn.execute(
                sa.text(
                    "INSERT INTO logs_events (id, stream_id, group_id, timestamp, ingestion_time,"
                    " message) VALUES (:id, :stream, 1, :ts, :ingested, :message)"
                ),
                dict(zip(("id", "stream", "ts", "ingested", "message"), row, strict=True)),
            )


def test_events_move_into_one_segment_a_write_in_order(url, tmp_path):
    engine = sa.create_engine(url)
    _old_store(engine)
    _migrate(engine, "head")
    with engine.connect() as conn:
        assert "logs_events" not in sa.inspect(conn).get_table_names()
        c = logs_segments.c
        query = sa.select(c.stream_id, c.event_count, c.ingestion_time).order_by(c.id)
        assert [tuple(r) for r in conn.execute(query)] == [
            (1, 2, 1000), (2, 1, 1000), (1, 2, 2000), (2, 1, 2000),
        ]  # fmt: skip
    engine.dispose()
    store = open_store(url, tmp_path)
    try:
        with store.read() as conn:
            group = groups.get(conn, ACCOUNT, "us-east-1", "g")
            assert group is not None
            a = streams.get(conn, group.id, "a")
            assert a is not None
            everything = events.bounds()
            one = events.read_stream(conn, a.id, everything, 100, False)
            assert [(e.timestamp, e.message) for e in one] == [
                (50, "a0"), (100, "a1"), (100, "a2"), (100, "a3"),
            ]  # fmt: skip
            assert [e.ingestion_time for e in one] == [2000, 1000, 1000, 2000]
            newest = events.read_stream(conn, a.id, everything, 2, True)
            assert [e.message for e in newest] == ["a3", "a2"]
            both = list(events.scan_group(conn, group.id, None, everything, False))
            assert [(e.stream_name, e.message) for e in both] == [
                ("a", "a0"), ("a", "a1"), ("a", "a2"), ("b", "b1"), ("a", "a3"), ("b", "ö"),
            ]  # fmt: skip
        # New segments follow the migrated ones (PostgreSQL's id sequence was moved on).
        LogSink(store).write(ACCOUNT, "us-east-1", "g", "a", [(100, "a4")])
        with store.read() as conn:
            one = events.read_stream(conn, a.id, events.bounds(start=100), 100, False)
        assert [e.message for e in one] == ["a1", "a2", "a3", "a4"]
    finally:
        store.close()
    engine = sa.create_engine(url)
    _migrate(engine, "0014", down=True)
    with engine.connect() as conn:
        query = "SELECT stream_id, timestamp, message FROM logs_events ORDER BY timestamp, id"
        rows = [tuple(r) for r in conn.execute(sa.text(query))]
    engine.dispose()
    assert rows == [
        (1, 50, "a0"), (1, 100, "a1"), (1, 100, "a2"), (2, 100, "b1"), (1, 100, "a3"),
        (1, 100, "a4"), (2, 90_000, "ö"),
    ]  # fmt: skip
