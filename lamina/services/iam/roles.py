"""Roles in the store. `get` and `get_by_arn` are what STS's AssumeRole builds on: a Role
carries its ARN, RoleId, trust policy (as sent, and parsed) and MaxSessionDuration."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.services.iam import ids
from lamina.services.iam.policy_documents import parse
from lamina.store.rows import insert_new
from lamina.store.schema import iam_roles as roles

SERVICE_LINKED_PATH = "/aws-service-role/"


@dataclass(frozen=True)
class Role:
    row: int
    account_id: str
    name: str
    path: str
    role_id: str
    trust_policy: str  # the AssumeRolePolicyDocument as it was sent
    description: str | None
    max_session_duration: int  # seconds
    permissions_boundary: str | None  # a managed policy ARN
    created_at: float  # seconds since the epoch
    last_used_at: float | None
    last_used_region: str | None

    @property
    def arn(self) -> str:
        return ids.arn(self.account_id, "role", self.path, self.name)

    @cached_property
    def trust_document(self) -> dict[str, Any]:
        """The trust policy, parsed (it was checked when it was stored)."""
        return parse(self.trust_policy)

    @property
    def service_linked(self) -> bool:
        return self.path.startswith(SERVICE_LINKED_PATH)


class AlreadyExists(Exception):
    pass


_COLUMNS = (
    roles.c.id,
    roles.c.account_id,
    roles.c.name,
    roles.c.path,
    roles.c.role_id,
    roles.c.trust_policy,
    roles.c.description,
    roles.c.max_session_duration,
    roles.c.permissions_boundary,
    roles.c.created_at,
    roles.c.last_used_at,
    roles.c.last_used_region,
)
_SELECT = sa.select(*_COLUMNS)


def get(conn: Connection, account_id: str, name: str) -> Role | None:
    """The role of that name (whatever its case) in the account, or None."""
    query = _SELECT.where(roles.c.account_id == account_id, roles.c.name_key == ids.name_key(name))
    row = conn.execute(query).first()
    return Role(*tuple(row)) if row else None


def get_by_arn(conn: Connection, arn: str) -> Role | None:
    """The role an ARN (arn:aws:iam::ACCOUNT:role/PATH/NAME) names, or None."""
    prefix, _, rest = arn.partition(":role/")
    parts = prefix.split(":")
    if len(parts) != 5 or parts[:3] != ["arn", "aws", "iam"] or not rest:
        return None
    role = get(conn, parts[4], rest.rsplit("/", 1)[-1])
    return role if role is not None and role.arn == arn else None


def get_by_id(conn: Connection, role_id: str) -> Role | None:
    row = conn.execute(_SELECT.where(roles.c.role_id == role_id)).first()
    return Role(*tuple(row)) if row else None


def by_row(conn: Connection, rows: list[int]) -> list[Role]:
    if not rows:
        return []
    return [Role(*tuple(r)) for r in conn.execute(_SELECT.where(roles.c.id.in_(rows)))]


def all_in(conn: Connection, account_id: str, path_prefix: str = "/") -> list[Role]:
    query = _SELECT.where(roles.c.account_id == account_id)
    return [Role(*tuple(r)) for r in conn.execute(query) if r.path.startswith(path_prefix)]


def insert(
    conn: Connection,
    account_id: str,
    name: str,
    path: str,
    trust_policy: str,
    description: str | None,
    max_session_duration: int,
    permissions_boundary: str | None,
) -> Role:
    role_id = ids.new_id(ids.ROLE)
    now = ids.now()
    values = {
        "account_id": account_id,
        "name": name,
        "name_key": ids.name_key(name),
        "path": path,
        "role_id": role_id,
        "trust_policy": trust_policy,
        "description": description,
        "max_session_duration": max_session_duration,
        "permissions_boundary": permissions_boundary,
        "created_at": now,
    }
    row = insert_new(conn, roles.insert().values(**values), AlreadyExists(name))
    return Role(
        row, account_id, name, path, role_id, trust_policy, description,
        max_session_duration, permissions_boundary, now, None, None,
    )  # fmt: skip


def update(conn: Connection, role: Role, **values: Any) -> None:
    """Change columns of a role: description, max_session_duration, trust_policy,
    permissions_boundary."""
    conn.execute(roles.update().where(roles.c.id == role.row).values(**values))


def record_use(conn: Connection, role: Role, region: str, when: float | None = None) -> None:
    """Note that the role was used (RoleLastUsed), e.g. when STS hands out its credentials."""
    update(conn, role, last_used_at=when or ids.now(), last_used_region=region)


def delete(conn: Connection, role: Role) -> None:
    conn.execute(roles.delete().where(roles.c.id == role.row))


def boundary_uses(conn: Connection, account_id: str, policy_arn: str) -> int:
    query = sa.select(sa.func.count()).where(
        roles.c.account_id == account_id, roles.c.permissions_boundary == policy_arn
    )
    return int(conn.execute(query).scalar_one())
