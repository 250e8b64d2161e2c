"""Hot statements compiled once to the driver's SQL, for SQLite.

SQLAlchemy Core's per-execution work (the compiled-cache lookup, building each row's
parameters through the compiled statement, bind processors) costs more than SQLite's own work
for a small row, and an executemany of ten rows pays it ten times. A `Prepared` statement is
compiled once per dialect; on SQLite its rows go to the driver itself as tuples in the compiled
order (its errors raised as SQLAlchemy's: IntegrityError, …; no SQLAlchemy events run). Only for
statements whose values need no bind processing (numbers, text) and that return nothing. An
INSERT of several rows goes as one statement of that many VALUES rows, not an executemany.
Elsewhere (PostgreSQL: insertmanyvalues folds many rows into one round trip) Core runs it.

A `PreparedSelect` does the same for a hot query: on SQLite the driver runs it and its rows are
named tuples (read by column name, as Core's rows are), so only for queries whose columns need
no result processing there (numbers, text); elsewhere Core runs it, with its own statement
(PostgreSQL's FOR UPDATE … SKIP LOCKED).
"""

from __future__ import annotations

import sqlite3
from collections import namedtuple
from collections.abc import Callable
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.engine import Connection, processors
from sqlalchemy.sql.expression import Executable, Select

_MAX_ROWS = 50  # rows of one INSERT: well within SQLite's limits on its values and VALUES rows


class Prepared:
    def __init__(self, statement: Executable, columns: list[str] | None = None) -> None:
        self.statement = statement
        self.columns = columns  # an INSERT's columns, every row giving all of them
        self._sqlite: tuple[str, Callable[[dict[str, Any]], tuple[Any, ...]]] | None = None
        self._rows_sql: dict[int, str] = {}  # an INSERT of that many rows in one statement
        self._names: list[str] = []  # the single statement's binds in compiled order

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
            elif (
                self.columns
                and len(values) <= _MAX_ROWS
                and (many := self._many(conn, len(values)))
            ):
                # One INSERT … VALUES (…), (…): no statement to step, reset and end per row as
                # executemany does; the rows go in, in order, or none of them.
                sql = many
                driver.execute(sql, [value for row in values for value in row])
            else:
                driver.executemany(sql, values)
        except sqlite3.Error as error:
            raise _as_sqlalchemys(conn, sql, values, error) from error

    def _many(self, conn: Connection, count: int) -> str:
        """The INSERT of `count` rows, '' if its values would not be the rows' in order."""
        sql = self._rows_sql.get(count)
        if sql is None:
            columns = self.columns or []
            statement = self.statement.values(  # type: ignore[attr-defined]
                [{c: sa.bindparam(f"r{i}_{c}") for c in columns} for i in range(count)]
            )
            compiled = statement.compile(dialect=conn.dialect)
            order = [f"r{i}_{c}" for i in range(count) for c in self._names]
            same = list(compiled.positiontup or ()) == order
            sql = self._rows_sql[count] = compiled.string if same else ""
        return sql

    def _compile(self, conn: Connection) -> tuple[str, Callable[[dict[str, Any]], tuple[Any, ...]]]:
        compiled = self.statement.compile(  # type: ignore[attr-defined]
            dialect=conn.dialect, column_keys=self.columns
        )
        names = self._names = list(compiled.positiontup or ())
        # Values the statement carries itself (`sequence + 1`); the rows give the others (none
        # to merge into each row when there are none of these).
        self._sqlite = (compiled.string, _values_of(names, _carried(compiled, self.columns)))
        return self._sqlite


class PreparedSelect:
    def __init__(self, sqlite: Select[Any], other: Select[Any] | None = None) -> None:
        self.sqlite = sqlite
        self.other = sqlite if other is None else other  # the query on other engines
        self._compiled: tuple[str, Callable[[dict[str, Any]], tuple[Any, ...]], Any] | None = None

    def rows(self, conn: Connection, values: dict[str, Any]) -> list[Any]:
        if conn.dialect.name != "sqlite":
            return list(conn.execute(self.other, values).all())
        sql, values_of, row = self._compiled or self._compile(conn)
        driver = conn.connection.dbapi_connection
        assert driver is not None
        given = values_of(values)
        try:
            found = driver.execute(sql, given).fetchall()
        except sqlite3.Error as error:
            raise _as_sqlalchemys(conn, sql, given, error) from error
        return list(map(row._make, found))

    def _compile(
        self, conn: Connection
    ) -> tuple[str, Callable[[dict[str, Any]], tuple[Any, ...]], Any]:
        dialect = conn.dialect
        compiled = self.sqlite.compile(dialect=dialect)
        for column in self.sqlite.selected_columns:
            if column.type._cached_result_processor(dialect, None) is not None:
                raise TypeError(f"{column.key}: its values need SQLAlchemy's result processing")
        for bind in compiled.binds.values():  # a float's float() aside, as Prepared's rows
            if bind.type._cached_bind_processor(dialect) not in (None, processors.to_float):
                raise TypeError(f"{bind.key}: its values need SQLAlchemy's bind processing")
        names = list(compiled.positiontup or ())
        # Values the query carries itself (LIMIT's OFFSET 0, `receive_count > 0`).
        fixed = _carried(compiled)
        row = namedtuple("Row", [c.key for c in self.sqlite.selected_columns])  # type: ignore[misc]
        self._compiled = (compiled.string, _values_of(names, fixed), row)
        return self._compiled


def _carried(compiled: Any, columns: list[str] | None = None) -> dict[str, Any]:
    """The values a compiled statement carries itself, by bind name: neither a column the rows
    give nor a bind the caller must fill."""
    given = set(columns or ())
    return {
        k: v
        for k, v in compiled.params.items()
        if k not in given and not compiled.binds[k].required
    }


def _as_sqlalchemys(
    conn: Connection, sql: str, values: Any, error: sqlite3.Error
) -> exc.StatementError:
    """A driver's error as SQLAlchemy would raise it (IntegrityError, …): callers catch those."""
    return exc.DBAPIError.instance(sql, values, error, sqlite3.Error, dialect=conn.dialect)


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
