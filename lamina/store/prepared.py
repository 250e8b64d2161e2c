"""Hot write statements compiled once to the driver's SQL, for SQLite.

SQLAlchemy Core's per-execution work (the compiled-cache lookup, building each row's
parameters through the compiled statement, bind processors) costs more than SQLite's own work
for a small row, and an executemany of ten rows pays it ten times. A `Prepared` statement is
compiled once per dialect; on SQLite its rows go to the driver itself as tuples in the compiled
order (its errors raised as SQLAlchemy's: IntegrityError, …; no SQLAlchemy events run). Only for
statements whose values need no bind processing (numbers, text) and that return nothing.
Elsewhere (PostgreSQL: insertmanyvalues folds many rows into one round trip) Core runs it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from sqlalchemy import exc
from sqlalchemy.engine import Connection
from sqlalchemy.sql.expression import Executable


class Prepared:
    def __init__(self, statement: Executable, columns: list[str] | None = None) -> None:
        self.statement = statement
        self.columns = columns  # an INSERT's columns, every row giving all of them
        self._sqlite: tuple[str, Callable[[dict[str, Any]], tuple[Any, ...]]] | None = None

    def run(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        if conn.dialect.name != "sqlite":
            conn.execute(self.statement, rows[0] if len(rows) == 1 else rows)
            return
        sql, values_of = self._sqlite or self._compile(conn)
        values = [values_of(row) for row in rows]
        driver = conn.connection.dbapi_connection
        assert driver is not None
        try:
            if len(values) == 1:
                driver.execute(sql, values[0])
            else:
                driver.executemany(sql, values)
        except sqlite3.Error as error:  # as SQLAlchemy would raise it (IntegrityError, …)
            raise exc.DBAPIError.instance(
                sql, values, error, sqlite3.Error, dialect=conn.dialect
            ) from error

    def _compile(self, conn: Connection) -> tuple[str, Callable[[dict[str, Any]], tuple[Any, ...]]]:
        compiled = self.statement.compile(  # type: ignore[attr-defined]
            dialect=conn.dialect, column_keys=self.columns
        )
        names = list(compiled.positiontup or ())
        # Values the statement carries itself (`receive_count + 1`), by their bind names.
        fixed = {k: v for k, v in compiled.params.items() if k not in (self.columns or ())}
        self._sqlite = (compiled.string, _values_of(names, fixed))
        return self._sqlite


def _values_of(
    names: list[str], fixed: dict[str, Any]
) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """A row's values in the compiled order: one itemgetter call, not a loop over the names."""
    if not names:
        return lambda row: ()
    get = itemgetter(*names)
    if len(names) == 1:
        return lambda row: (get({**fixed, **row}) if fixed else get(row),)
    if fixed:
        return lambda row: get({**fixed, **row})
    return get
