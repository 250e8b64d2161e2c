"""The database: one SQLAlchemy engine, SQLite by default or PostgreSQL for a fleet."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.engine import Connection, Engine

from lamina.store.blobs import BlobStore, FileBlobStore
from lamina.store.checkpoints import Checkpointer
from lamina.store.schema import metadata

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
# Any fixed number: PostgreSQL's advisory lock that keeps two starting nodes from migrating at once.
_MIGRATION_LOCK_ID = 0x6C616D696E61


class Store:
    """Transactions for providers: `read()` and `write()`; a write commits when its block ends."""

    def __init__(
        self, engine: Engine, blobs: BlobStore, checkpointer: Checkpointer | None = None
    ) -> None:
        self.engine = engine
        self.checkpointer = checkpointer  # SQLite on a file: checkpoints off the request path
        self.blobs = blobs
        self.dialect = engine.dialect.name
        # SQLite has one writer; taking turns in-process avoids SQLITE_BUSY between our own threads.
        self._sqlite_lock = threading.Lock() if self.dialect == "sqlite" else None
        self._write_lock: contextlib.AbstractContextManager[Any] = (
            self._sqlite_lock or contextlib.nullcontext()
        )
        # SQLite: writes take turns anyway, so they share one connection, kept open under the
        # lock; a pool checkout, a connection object and a reset per write cost as much as the
        # write itself.
        self._writer: Connection | None = None
        self.resets = 0  # how many times reset() wiped the store: ids may be handed out again

    @property
    def reads_wait(self) -> bool:
        """Whether a read may wait: on the network (PostgreSQL). SQLite's WAL readers never
        wait on writers, so a short read may run on the event loop itself."""
        return self.dialect != "sqlite"

    @property
    def engine_name(self) -> str:
        return "postgresql" if self.dialect == "postgresql" else "sqlite"

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        if self._sqlite_lock is not None:
            with self._sqlite_lock:
                with _sqlite_transaction(self._sqlite_writer()) as conn:
                    yield conn
                if self.checkpointer is not None:
                    self.checkpointer.committed()
            return
        with self.engine.connect() as conn:
            conn.execution_options(lamina_write=True)
            with conn.begin():
                yield conn

    @contextlib.contextmanager
    def write_now(self) -> Iterator[Connection | None]:
        """A write transaction if one can begin without waiting for another in this process
        (SQLite), else None: for callers on the event loop, which must not wait."""
        lock = self._sqlite_lock
        if lock is None or not lock.acquire(blocking=False):
            yield None
            return
        try:
            with _sqlite_transaction(self._sqlite_writer()) as conn:
                yield conn
            if self.checkpointer is not None:
                self.checkpointer.committed()
        finally:
            lock.release()

    def _sqlite_writer(self) -> Connection:
        """The shared write connection (the SQLite lock held), opened anew if it broke."""
        conn = self._writer
        if conn is None or conn.closed or conn.invalidated:
            conn = self.engine.connect()
            conn.execution_options(lamina_write=True)
            self._writer = conn
        return conn

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        if self.dialect == "postgresql":
            # No BEGIN/COMMIT: two round trips a read. Each statement still reads a committed
            # snapshot; a read that needs one snapshot across statements uses write().
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                yield conn
            return
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def migrate(self) -> None:
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self._write_lock, self.engine.connect() as conn:
            if self.dialect == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_lock(:id)"), {"id": _MIGRATION_LOCK_ID})
                conn.commit()
            try:
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
                conn.commit()
            finally:
                if self.dialect == "postgresql":
                    conn.execute(
                        sa.text("SELECT pg_advisory_unlock(:id)"), {"id": _MIGRATION_LOCK_ID}
                    )
                    conn.commit()

    def reset(self) -> None:
        """Wipe every account's and region's state (test suites ask for this)."""
        with self.write() as conn:
            for table in reversed(metadata.sorted_tables):
                conn.execute(table.delete())
            self.resets += 1
        self.blobs.wipe()

    def close(self) -> None:
        lock = self._sqlite_lock
        # Not past a write still under way (a stuck one is left to the process's end).
        if self._writer is not None and lock is not None and lock.acquire(timeout=10):
            try:
                self._writer.close()
                self._writer = None
            finally:
                lock.release()
        if self.checkpointer is not None:
            self.checkpointer.stop()
        self.engine.dispose()


@contextlib.contextmanager
def _sqlite_transaction(conn: Connection) -> Iterator[Connection]:
    """A write transaction begun and ended on the driver itself: SQLAlchemy's Transaction (its
    events, its state) cost as much as a small write. A statement run through SQLAlchemy inside
    still begins its own transaction object, which then ends it."""
    driver = conn.connection.dbapi_connection
    assert driver is not None
    driver.execute("BEGIN IMMEDIATE")  # the lock up front: never failing half way when busy
    try:
        yield conn
    except BaseException:
        if conn.in_transaction():
            conn.rollback()
        elif driver.in_transaction:
            driver.rollback()
        raise
    if conn.in_transaction():
        conn.commit()
        return
    try:
        driver.commit()
    except sqlite3.Error as error:  # as SQLAlchemy would raise it; nothing left begun
        if driver.in_transaction:
            driver.rollback()
        raise exc.DBAPIError.instance("COMMIT", (), error, sqlite3.Error) from error


def _sqlite_engine(url: str, checkpoints_elsewhere: bool) -> Engine:
    engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event, not the driver, decide how transactions start.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL loses nothing on a process crash (SIGKILL); FULL adds power loss.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if checkpoints_elsewhere:  # by the Checkpointer's thread, not inside a request's commit
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A writer takes the lock up front, so it never fails half way on a busy database.
        write = conn.get_execution_options().get("lamina_write")
        # On the driver itself: BEGIN needs none of SQLAlchemy's execution machinery, which
        # cost a tenth of a small write's time (nothing listens for this statement).
        driver = conn.connection.dbapi_connection
        assert driver is not None
        if not driver.in_transaction:  # else begun by _sqlite_transaction
            driver.execute("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def open_store(url: str, data_dir: Path) -> Store:
    """Connect, migrate to the newest schema, and return the store."""
    data_dir.mkdir(parents=True, exist_ok=True)
    checkpointer = None
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        on_file = path is not None and path not in ("", ":memory:") and not path.startswith("file:")
        engine = _sqlite_engine(url, checkpoints_elsewhere=on_file)
        if on_file and path is not None:
            checkpointer = Checkpointer(path)
    else:
        engine = sa.create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
    files = FileBlobStore(data_dir / "blobs")
    if engine.dialect.name == "postgresql":  # a fleet: every node reads what any node stored
        from lamina.store.shared_blobs import DatabaseBlobStore

        store = Store(engine, DatabaseBlobStore(engine, files))
    else:
        store = Store(engine, files, checkpointer)
    store.migrate()
    return store
