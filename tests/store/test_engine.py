"""SQLite write transactions begin and end on the driver; a statement run through SQLAlchemy
inside one must join it, and a failure must leave nothing written and nothing begun."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from lamina.store import checkpoints
from lamina.store.engine import open_store
from lamina.store.prepared import Prepared


@pytest.fixture
def store(tmp_path: Path):
    store = open_store(f"sqlite:///{tmp_path / 'lamina.db'}", tmp_path)
    yield store
    store.close()


def _scratch(store) -> sa.Table:
    table = sa.Table(
        "scratch",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("v", sa.Text),
    )
    table.create(store.engine)
    return table


def test_driver_only_and_sqlalchemy_statements_commit_in_one_transaction(store) -> None:
    table = _scratch(store)
    insert = Prepared(table.insert(), ["id", "v"])
    with store.write() as conn:
        insert.run(conn, [{"id": 1, "v": "driver"}])
        conn.execute(table.insert(), {"id": 2, "v": "core"})
    with store.write_now() as conn:
        assert conn is not None
        insert.run(conn, [{"id": 3, "v": "driver only"}])
    with store.read() as conn:
        assert conn.execute(sa.select(table.c.v).order_by(table.c.id)).scalars().all() == [
            "driver", "core", "driver only",
        ]  # fmt: skip


@pytest.mark.parametrize("through", ["driver", "core"])
def test_a_failed_write_leaves_nothing_and_the_next_write_begins(store, through: str) -> None:
    table = _scratch(store)
    insert = Prepared(table.insert(), ["id", "v"])
    with pytest.raises(sa.exc.IntegrityError), store.write() as conn:
        insert.run(conn, [{"id": 1, "v": "kept?"}])
        if through == "core":
            conn.execute(table.insert(), {"id": 1, "v": "duplicate"})
        else:
            insert.run(conn, [{"id": 1, "v": "duplicate"}])
    with store.write() as conn:  # a transaction left begun would make this BEGIN fail
        insert.run(conn, [{"id": 2, "v": "next"}])
    with store.read() as conn:
        assert conn.execute(sa.select(table.c.v)).scalars().all() == ["next"]


def _rows_in_database_file(path: Path) -> int:
    # immutable=1 reads the database file alone, not what is still only in the write-ahead log.
    conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM scratch").fetchone()[0])
    except sqlite3.OperationalError:  # the table itself not checkpointed yet
        return 0
    finally:
        conn.close()


def test_commits_reach_the_database_file_by_the_checkpointer_not_by_a_commit(
    store, tmp_path: Path
) -> None:
    table = _scratch(store)
    insert = Prepared(table.insert(), ["id", "v"])
    with store.write() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
    for index in range(checkpoints.COMMITS + 10):
        with store.write_now() as conn:
            assert conn is not None
            insert.run(conn, [{"id": index, "v": "x" * 200}])
    deadline = time.monotonic() + 30
    while _rows_in_database_file(tmp_path / "lamina.db") < checkpoints.COMMITS:
        assert time.monotonic() < deadline, "the log was never checkpointed"
        time.sleep(0.05)
