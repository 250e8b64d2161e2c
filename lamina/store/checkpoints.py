"""SQLite: the write-ahead log copied back into the database by a thread of its own.

By default SQLite checkpoints inside whichever commit takes the log past 1,000 pages: that
commit copies the pages and syncs the database file, several milliseconds on a request's path
(on the event loop, for a lone writer). With automatic checkpoints off on every connection,
this thread checkpoints instead, after a number of commits or a second after the last one.
A PASSIVE checkpoint never waits for readers or writers, so requests go on meanwhile; what is
committed is durable in the log either way, so nothing about durability changes.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

log = logging.getLogger(__name__)

COMMITS = 256  # about a quarter of the default 1,000-page threshold, at a few pages a commit
INTERVAL_S = 1.0


class Checkpointer:
    def __init__(self, path: str) -> None:
        self.path = path
        self._commits = 0
        self._wake = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="lamina-checkpoint", daemon=True)
        self._thread.start()

    def committed(self) -> None:
        """Called after each write commits (under the store's write lock: no race on the count)."""
        self._commits += 1
        if self._commits >= COMMITS:
            self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            while not self._stopping:
                self._wake.wait(INTERVAL_S)
                self._wake.clear()
                if self._commits:
                    self._commits = 0
                    self._checkpoint(conn)
            self._checkpoint(conn)
        finally:
            conn.close()

    def _checkpoint(self, conn: sqlite3.Connection) -> None:
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as error:  # the next round tries again; the log stays valid
            log.warning("checkpoint of %s failed: %s", self.path, error)
