"""Instance profiles and the (at most one) role each holds, in the store."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.services.iam import ids
from lamina.store.rows import insert_new
from lamina.store.schema import iam_instance_profile_roles as profile_roles
from lamina.store.schema import iam_instance_profiles as profiles

MAX_ROLES = 1  # IAM's quota InstanceSessionsPerInstanceProfile


@dataclass(frozen=True)
class InstanceProfile:
    row: int
    account_id: str
    name: str
    path: str
    profile_id: str
    created_at: float

    @property
    def arn(self) -> str:
        return ids.arn(self.account_id, "instance-profile", self.path, self.name)


class AlreadyExists(Exception):
    pass


_SELECT = sa.select(
    profiles.c.id,
    profiles.c.account_id,
    profiles.c.name,
    profiles.c.path,
    profiles.c.profile_id,
    profiles.c.created_at,
)


def get(conn: Connection, account_id: str, name: str) -> InstanceProfile | None:
    query = _SELECT.where(
        profiles.c.account_id == account_id, profiles.c.name_key == ids.name_key(name)
    )
    row = conn.execute(query).first()
    return InstanceProfile(*row) if row else None


def all_in(conn: Connection, account_id: str, path_prefix: str = "/") -> list[InstanceProfile]:
    query = _SELECT.where(profiles.c.account_id == account_id)
    return [InstanceProfile(*r) for r in conn.execute(query) if r.path.startswith(path_prefix)]


def insert(conn: Connection, account_id: str, name: str, path: str) -> InstanceProfile:
    profile_id = ids.new_id(ids.INSTANCE_PROFILE)
    now = ids.now()
    statement = profiles.insert().values(
        account_id=account_id,
        name=name,
        name_key=ids.name_key(name),
        path=path,
        profile_id=profile_id,
        created_at=now,
    )
    row = insert_new(conn, statement, AlreadyExists(name))
    return InstanceProfile(row, account_id, name, path, profile_id, now)


def delete(conn: Connection, profile: InstanceProfile) -> None:
    conn.execute(profiles.delete().where(profiles.c.id == profile.row))


def role_rows(conn: Connection, profile: InstanceProfile) -> list[int]:
    query = sa.select(profile_roles.c.role_row).where(profile_roles.c.profile_row == profile.row)
    return [r[0] for r in conn.execute(query)]


def add_role(conn: Connection, profile: InstanceProfile, role_row: int) -> None:
    conn.execute(profile_roles.insert().values(profile_row=profile.row, role_row=role_row))


def remove_role(conn: Connection, profile: InstanceProfile, role_row: int) -> bool:
    query = profile_roles.delete().where(
        profile_roles.c.profile_row == profile.row, profile_roles.c.role_row == role_row
    )
    return bool(conn.execute(query).rowcount)


def of_role(conn: Connection, role_row: int) -> list[InstanceProfile]:
    rows = sa.select(profile_roles.c.profile_row).where(profile_roles.c.role_row == role_row)
    return [InstanceProfile(*r) for r in conn.execute(_SELECT.where(profiles.c.id.in_(rows)))]
