"""Prepared statements on SQLite go to the driver itself; their failures must still be the
errors SQLAlchemy raises, which callers catch (a message sent to a queue deleted meanwhile is
an IntegrityError of its foreign key)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import exc

from lamina.store.prepared import Prepared, PreparedSelect


def test_rows_are_written_and_a_constraint_failure_is_sqlalchemys_integrity_error() -> None:
    engine = sa.create_engine("sqlite://")
    metadata = sa.MetaData()
    parents = sa.Table("parents", metadata, sa.Column("id", sa.Integer, primary_key=True))
    children = sa.Table(
        "children", metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parent", sa.Integer, sa.ForeignKey("parents.id")),
        sa.Column("name", sa.Text),
    )  # fmt: skip
    metadata.create_all(engine)
    insert = Prepared(children.insert(), ["id", "parent", "name"])
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        conn.execute(parents.insert(), {"id": 1})
        insert.run(conn, [{"id": 1, "parent": 1, "name": "a"}])
        insert.run(conn, [{"id": 2, "parent": 1, "name": "b"}, {"id": 3, "parent": 1, "name": "c"}])
        names = conn.execute(sa.select(children.c.name).order_by(children.c.id)).scalars().all()
        assert names == ["a", "b", "c"]
        with pytest.raises(exc.IntegrityError):
            insert.run(conn, [{"id": 4, "parent": 99, "name": "orphan"}])
        with pytest.raises(exc.IntegrityError):  # one of several: as one statement, so neither
            insert.run(
                conn, [{"id": 5, "parent": 1, "name": "d"}, {"id": 6, "parent": 99, "name": "e"}]
            )
        insert.run(conn, [{"id": i, "parent": 1, "name": f"n{i}"} for i in range(7, 80)])
        names = conn.execute(sa.select(children.c.name).order_by(children.c.id)).scalars().all()
        assert names == ["a", "b", "c"] + [f"n{i}" for i in range(7, 80)]


def test_a_prepared_selects_rows_are_read_by_column_name_with_the_querys_own_values() -> None:
    engine = sa.create_engine("sqlite://")
    metadata = sa.MetaData()
    items = sa.Table(
        "items", metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.Text),
        sa.Column("weight", sa.Float),
    )  # fmt: skip
    metadata.create_all(engine)
    query = PreparedSelect(
        sa.select(items)
        .where(items.c.weight > sa.bindparam("b_min"), items.c.id != 2)  # 2: the query's own
        .order_by(items.c.id)
        .limit(sa.bindparam("b_limit"))
    )
    with engine.connect() as conn:
        conn.execute(items.insert(), [{"id": i, "name": f"n{i}", "weight": i} for i in range(5)])
        rows = query.rows(conn, {"b_min": 0.5, "b_limit": 2})
        assert [(r.id, r.name, r.weight) for r in rows] == [(1, "n1", 1.0), (3, "n3", 3.0)]
        assert rows == list(conn.execute(query.sqlite, {"b_min": 0.5, "b_limit": 2}).all())


def test_a_prepared_select_refuses_columns_that_sqlalchemy_would_convert() -> None:
    engine = sa.create_engine("sqlite://")
    metadata = sa.MetaData()
    stamps = sa.Table("stamps", metadata, sa.Column("at", sa.DateTime))
    metadata.create_all(engine)
    with engine.connect() as conn, pytest.raises(TypeError):
        PreparedSelect(sa.select(stamps)).rows(conn, {})
