"""Access keys of IAM users, in the store.

`lookup(conn, access_key_id)` is what request authentication and STS build on: the key's
secret, status, account and user, whatever the account of the caller.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.services.iam import ids
from lamina.store.schema import iam_access_keys as keys
from lamina.store.schema import iam_users as users

MAX_PER_USER = 2  # IAM's quota AccessKeysPerUser
ACTIVE = "Active"
INACTIVE = "Inactive"


@dataclass(frozen=True)
class AccessKey:
    access_key_id: str  # AKIA…
    secret_access_key: str
    status: str  # Active or Inactive
    account_id: str
    user_row: int
    user_name: str
    user_id: str  # AIDA…
    user_path: str
    created_at: float
    last_used_at: float | None
    last_used_service: str | None
    last_used_region: str | None

    @property
    def user_arn(self) -> str:
        return ids.arn(self.account_id, "user", self.user_path, self.user_name)

    @property
    def active(self) -> bool:
        return self.status == ACTIVE


_SELECT = sa.select(
    keys.c.access_key_id,
    keys.c.secret,
    keys.c.status,
    keys.c.account_id,
    keys.c.user_row,
    users.c.name,
    users.c.user_id,
    users.c.path,
    keys.c.created_at,
    keys.c.last_used_at,
    keys.c.last_used_service,
    keys.c.last_used_region,
).join_from(keys, users, keys.c.user_row == users.c.id)


def lookup(conn: Connection, access_key_id: str) -> AccessKey | None:
    """The access key with that id, in any account, or None."""
    row = conn.execute(_SELECT.where(keys.c.access_key_id == access_key_id)).first()
    return AccessKey(*tuple(row)) if row else None


def of_user(conn: Connection, user_row: int) -> list[AccessKey]:
    query = _SELECT.where(keys.c.user_row == user_row).order_by(keys.c.created_at)
    return [AccessKey(*tuple(r)) for r in conn.execute(query)]


def count(conn: Connection, user_row: int) -> int:
    query = sa.select(sa.func.count()).where(keys.c.user_row == user_row)
    return int(conn.execute(query).scalar_one())


def create(conn: Connection, account_id: str, user_row: int) -> tuple[str, str, float]:
    """A new active key for the user: (access key id, secret, created at)."""
    key_id, secret, now = ids.new_id(ids.ACCESS_KEY), ids.new_secret(), ids.now()
    conn.execute(
        keys.insert().values(
            access_key_id=key_id,
            account_id=account_id,
            user_row=user_row,
            secret=secret,
            status=ACTIVE,
            created_at=now,
        )
    )
    return key_id, secret, now


def set_status(conn: Connection, access_key_id: str, status: str) -> None:
    conn.execute(keys.update().where(keys.c.access_key_id == access_key_id).values(status=status))


def record_use(
    conn: Connection, access_key_id: str, service: str, region: str, when: float | None = None
) -> None:
    """Note a use of the key (GetAccessKeyLastUsed), e.g. from request authentication."""
    conn.execute(
        keys.update()
        .where(keys.c.access_key_id == access_key_id)
        .values(last_used_at=when or ids.now(), last_used_service=service, last_used_region=region)
    )


def delete(conn: Connection, access_key_id: str) -> None:
    conn.execute(keys.delete().where(keys.c.access_key_id == access_key_id))
