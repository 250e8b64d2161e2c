"""Row access every service's table modules share."""

from __future__ import annotations

from sqlalchemy import Insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError


def insert_new(conn: Connection, statement: Insert, on_duplicate: Exception) -> int:
    """Insert one row and answer its primary key; `on_duplicate` is raised when a unique
    constraint says it exists already (perhaps made meanwhile by another node). The savepoint
    keeps the caller's transaction usable after that (PostgreSQL would abort it)."""
    try:
        with conn.begin_nested():
            key = conn.execute(statement).inserted_primary_key
    except IntegrityError:
        raise on_duplicate from None
    assert key is not None  # a plain single-row insert always reports its key
    return int(key[0])
