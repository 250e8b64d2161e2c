"""Log groups in the store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.services.logs import segments
from lamina.store.rows import insert_new
from lamina.store.schema import logs_groups as groups
from lamina.store.schema import logs_streams as streams


@dataclass(frozen=True)
class LogGroup:
    id: int
    name: str
    creation_time: int
    retention_in_days: int | None
    log_group_class: str
    kms_key_id: str | None
    stored_bytes: int


class AlreadyExists(Exception):
    pass


# A group's storedBytes is the sum over its streams: no hot group row for writers to contend on.
_STORED = (
    # cast: PostgreSQL's SUM of bigints is a numeric, which would come back as a Decimal
    sa.select(sa.cast(sa.func.coalesce(sa.func.sum(streams.c.stored_bytes), 0), sa.BigInteger))
    .where(streams.c.group_id == groups.c.id)
    .scalar_subquery()
)
_SELECT = sa.select(
    groups.c.id,
    groups.c.name,
    groups.c.creation_time,
    groups.c.retention_in_days,
    groups.c.log_group_class,
    groups.c.kms_key_id,
    _STORED,
)
_IN_REGION = (
    groups.c.account_id == sa.bindparam("account"),
    groups.c.region == sa.bindparam("region"),
)
_GET = _SELECT.where(*_IN_REGION, groups.c.name == sa.bindparam("name"))
_PREFIX = sa.bindparam("prefix", type_=sa.String())
# substr, not LIKE: LIKE ignores case on SQLite, and names are case-sensitive.
_PREFIXED = sa.func.substr(groups.c.name, 1, sa.func.length(_PREFIX)) == _PREFIX
_LIST = (
    _SELECT.where(*_IN_REGION, _PREFIXED, groups.c.name > sa.bindparam("after"))
    .order_by(groups.c.name)
    .limit(sa.bindparam("limit"))
)
_RETAINED = sa.select(groups.c.id, groups.c.retention_in_days).where(
    groups.c.retention_in_days.is_not(None)
)


def get(conn: Connection, account: str, region: str, name: str) -> LogGroup | None:
    row = conn.execute(_GET, {"account": account, "region": region, "name": name}).first()
    return LogGroup(*row) if row else None


_ID = sa.select(groups.c.id).where(*_IN_REGION, groups.c.name == sa.bindparam("name"))


def find_id(conn: Connection, account: str, region: str, name: str) -> int | None:
    """The group's id only: without its storedBytes, a sum over its streams."""
    found = conn.execute(_ID, {"account": account, "region": region, "name": name}).scalar()
    return None if found is None else int(found)


def insert(conn: Connection, account: str, region: str, name: str, now: int, **options: Any) -> int:
    row = groups.insert().values(
        account_id=account,
        region=region,
        name=name,
        creation_time=now,
        retention_in_days=None,
        log_group_class=options.get("log_group_class") or "STANDARD",
        kms_key_id=options.get("kms_key_id"),
    )
    return insert_new(conn, row, AlreadyExists(name))


def delete(conn: Connection, group_id: int) -> None:
    segments.delete_group(conn, group_id)
    conn.execute(streams.delete().where(streams.c.group_id == group_id))
    conn.execute(groups.delete().where(groups.c.id == group_id))


def set_retention(conn: Connection, group_id: int, days: int | None) -> None:
    conn.execute(groups.update().where(groups.c.id == group_id).values(retention_in_days=days))


def page(
    conn: Connection, account: str, region: str, prefix: str, after: str, limit: int
) -> list[LogGroup]:
    found = {"account": account, "region": region, "prefix": prefix, "after": after}
    return [LogGroup(*row) for row in conn.execute(_LIST, dict(found, limit=limit))]


def retained(conn: Connection) -> list[tuple[int, int]]:
    """(group id, retention in days) of every group, in every account, that has a retention."""
    return [(row[0], row[1]) for row in conn.execute(_RETAINED)]
