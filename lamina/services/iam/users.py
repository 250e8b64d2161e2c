"""IAM users in the store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.services.iam import ids
from lamina.store.rows import insert_new
from lamina.store.schema import iam_users as users


@dataclass(frozen=True)
class User:
    row: int
    account_id: str
    name: str
    path: str
    user_id: str
    permissions_boundary: str | None
    created_at: float

    @property
    def arn(self) -> str:
        return ids.arn(self.account_id, "user", self.path, self.name)


class AlreadyExists(Exception):
    pass


_SELECT = sa.select(
    users.c.id,
    users.c.account_id,
    users.c.name,
    users.c.path,
    users.c.user_id,
    users.c.permissions_boundary,
    users.c.created_at,
)


def get(conn: Connection, account_id: str, name: str) -> User | None:
    query = _SELECT.where(users.c.account_id == account_id, users.c.name_key == ids.name_key(name))
    row = conn.execute(query).first()
    return User(*row) if row else None


def by_row(conn: Connection, rows: list[int]) -> list[User]:
    if not rows:
        return []
    return [User(*r) for r in conn.execute(_SELECT.where(users.c.id.in_(rows)))]


def all_in(conn: Connection, account_id: str, path_prefix: str = "/") -> list[User]:
    query = _SELECT.where(users.c.account_id == account_id)
    return [User(*r) for r in conn.execute(query) if r.path.startswith(path_prefix)]


def insert(conn: Connection, account_id: str, name: str, path: str, boundary: str | None) -> User:
    user_id = ids.new_id(ids.USER)
    now = ids.now()
    statement = users.insert().values(
        account_id=account_id,
        name=name,
        name_key=ids.name_key(name),
        path=path,
        user_id=user_id,
        permissions_boundary=boundary,
        created_at=now,
    )
    row = insert_new(conn, statement, AlreadyExists(name))
    return User(row, account_id, name, path, user_id, boundary, now)


def update(conn: Connection, user: User, **values: Any) -> None:
    """Change columns: name (its key follows), path, permissions_boundary. A new name that is
    taken raises AlreadyExists."""
    if "name" in values:
        values["name_key"] = ids.name_key(values["name"])
    try:
        with conn.begin_nested():
            conn.execute(users.update().where(users.c.id == user.row).values(**values))
    except sa.exc.IntegrityError:
        raise AlreadyExists(values.get("name", user.name)) from None


def delete(conn: Connection, user: User) -> None:
    conn.execute(users.delete().where(users.c.id == user.row))


def boundary_uses(conn: Connection, account_id: str, policy_arn: str) -> int:
    query = sa.select(sa.func.count()).where(
        users.c.account_id == account_id, users.c.permissions_boundary == policy_arn
    )
    return int(conn.execute(query).scalar_one())
