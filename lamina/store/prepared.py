"""Hot write statements compiled once to the driver's SQL, for SQLite.

SQLAlchemy Core's per-execution work (the compiled-cache lookup, building each row's
parameters through the compiled statement, bind processors) costs more than SQLite's own work
for a small row, and an executemany of ten rows pays it ten times. A `Prepared` statement is
compiled once per dialect; on SQLite its rows go to the driver as tuples in the compiled order
(through `exec_driver_sql`, so errors are SQLAlchemy's and events still run). Only for
statements whose values need no bind processing (numbers, text) and that return nothing.
Elsewhere (PostgreSQL: insertmanyvalues folds many rows into one round trip) Core runs it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.sql.expression import Executable


class Prepared:
    def __init__(self, statement: Executable, columns: list[str] | None = None) -> None:
        self.statement = statement
        self.columns = columns  # an INSERT's columns, every row giving all of them
        self._sqlite: tuple[str, list[str], dict[str, Any]] | None = None

    def run(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        if conn.dialect.name != "sqlite":
            conn.execute(self.statement, rows[0] if len(rows) == 1 else rows)
            return
        sql, names, fixed = self._sqlite or self._compile(conn)
        values = [tuple(row[n] if n in row else fixed[n] for n in names) for row in rows]
        if len(values) == 1:
            conn.exec_driver_sql(sql, values[0])
        else:
            conn.exec_driver_sql(sql, values)

    def _compile(self, conn: Connection) -> tuple[str, list[str], dict[str, Any]]:
        compiled = self.statement.compile(  # type: ignore[attr-defined]
            dialect=conn.dialect, column_keys=self.columns
        )
        # Values the statement carries itself (`receive_count + 1`), by their bind names.
        fixed = {k: v for k, v in compiled.params.items() if k not in (self.columns or ())}
        self._sqlite = (compiled.string, list(compiled.positiontup or ()), fixed)
        return self._sqlite
