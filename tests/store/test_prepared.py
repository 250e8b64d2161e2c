"""Prepared statements on SQLite go to the driver itself; their failures must still be the
errors SQLAlchemy raises, which callers catch (a message sent to a queue deleted meanwhile is
an IntegrityError of its foreign key)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import exc

from lamina.store.prepared import Prepared


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
