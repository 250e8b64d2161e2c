"""IAM groups and their members in the store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.services.iam import ids
from lamina.store.rows import insert_new
from lamina.store.schema import iam_group_members as members
from lamina.store.schema import iam_groups as groups


@dataclass(frozen=True)
class Group:
    row: int
    account_id: str
    name: str
    path: str
    group_id: str
    created_at: float

    @property
    def arn(self) -> str:
        return ids.arn(self.account_id, "group", self.path, self.name)


class AlreadyExists(Exception):
    pass


_SELECT = sa.select(
    groups.c.id,
    groups.c.account_id,
    groups.c.name,
    groups.c.path,
    groups.c.group_id,
    groups.c.created_at,
)


def get(conn: Connection, account_id: str, name: str) -> Group | None:
    query = _SELECT.where(
        groups.c.account_id == account_id, groups.c.name_key == ids.name_key(name)
    )
    row = conn.execute(query).first()
    return Group(*row) if row else None


def by_row(conn: Connection, rows: list[int]) -> list[Group]:
    if not rows:
        return []
    return [Group(*r) for r in conn.execute(_SELECT.where(groups.c.id.in_(rows)))]


def all_in(conn: Connection, account_id: str, path_prefix: str = "/") -> list[Group]:
    query = _SELECT.where(groups.c.account_id == account_id)
    return [Group(*r) for r in conn.execute(query) if r.path.startswith(path_prefix)]


def insert(conn: Connection, account_id: str, name: str, path: str) -> Group:
    group_id = ids.new_id(ids.GROUP)
    now = ids.now()
    statement = groups.insert().values(
        account_id=account_id,
        name=name,
        name_key=ids.name_key(name),
        path=path,
        group_id=group_id,
        created_at=now,
    )
    row = insert_new(conn, statement, AlreadyExists(name))
    return Group(row, account_id, name, path, group_id, now)


def update(conn: Connection, group: Group, **values: Any) -> None:
    if "name" in values:
        values["name_key"] = ids.name_key(values["name"])
    try:
        with conn.begin_nested():
            conn.execute(groups.update().where(groups.c.id == group.row).values(**values))
    except sa.exc.IntegrityError:
        raise AlreadyExists(values.get("name", group.name)) from None


def delete(conn: Connection, group: Group) -> None:
    conn.execute(groups.delete().where(groups.c.id == group.row))


def add_member(conn: Connection, group: Group, user_row: int) -> None:
    """Adding a member twice changes nothing, as in IAM."""
    exists = sa.select(members.c.group_row).where(
        members.c.group_row == group.row, members.c.user_row == user_row
    )
    if conn.execute(exists).first() is None:
        conn.execute(
            members.insert().values(group_row=group.row, user_row=user_row, added_at=ids.now())
        )


def remove_member(conn: Connection, group: Group, user_row: int) -> bool:
    """False when the user was not a member."""
    query = members.delete().where(members.c.group_row == group.row, members.c.user_row == user_row)
    return bool(conn.execute(query).rowcount)


def member_rows(conn: Connection, group: Group) -> list[int]:
    query = sa.select(members.c.user_row).where(members.c.group_row == group.row)
    return [r[0] for r in conn.execute(query)]


def group_rows_of(conn: Connection, user_row: int) -> list[int]:
    query = sa.select(members.c.group_row).where(members.c.user_row == user_row)
    return [r[0] for r in conn.execute(query)]


def remove_user_everywhere(conn: Connection, user_row: int) -> None:
    conn.execute(members.delete().where(members.c.user_row == user_row))
