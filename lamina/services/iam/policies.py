"""Managed policies and their versions: customer managed ones in the store, AWS managed ones
from the shipped data (managed/), seen through one ManagedPolicy."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.services.iam import ids, managed
from lamina.store.rows import insert_new
from lamina.store.schema import iam_policies as policies
from lamina.store.schema import iam_policy_versions as versions

MAX_VERSIONS = 5  # IAM keeps at most five versions of a managed policy


@dataclass(frozen=True)
class ManagedPolicy:
    row: int | None  # None for an AWS managed policy
    account_id: str  # 'aws' for an AWS managed policy
    name: str
    path: str
    policy_id: str
    description: str | None
    default_version: str
    created_at: float
    updated_at: float

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:policy{self.path}{self.name}"

    @property
    def is_aws(self) -> bool:
        return self.row is None


@dataclass(frozen=True)
class Version:
    version_id: str
    document: str
    created_at: float


class AlreadyExists(Exception):
    pass


_SELECT = sa.select(
    policies.c.id,
    policies.c.account_id,
    policies.c.name,
    policies.c.path,
    policies.c.policy_id,
    policies.c.description,
    policies.c.default_version,
    policies.c.created_at,
    policies.c.updated_at,
)


def _aws(policy: managed.AwsPolicy) -> ManagedPolicy:
    return ManagedPolicy(
        None, "aws", policy.name, policy.path, policy.policy_id, None,
        policy.default_version, policy.created_at, policy.updated_at,
    )  # fmt: skip


def get_by_arn(conn: Connection, account_id: str, arn: str) -> ManagedPolicy | None:
    """The policy an ARN names, as seen from the account: its own policies and AWS's."""
    if managed.is_aws(arn):
        found = managed.get(arn)
        return _aws(found) if found else None
    prefix = f"arn:aws:iam::{account_id}:policy/"
    if not arn.startswith(prefix):
        return None
    name = arn.rsplit("/", 1)[-1]
    query = _SELECT.where(
        policies.c.account_id == account_id, policies.c.name_key == ids.name_key(name)
    )
    row = conn.execute(query).first()
    policy = ManagedPolicy(*row) if row else None
    return policy if policy is not None and policy.arn == arn else None


def local(conn: Connection, account_id: str) -> list[ManagedPolicy]:
    query = _SELECT.where(policies.c.account_id == account_id)
    return [ManagedPolicy(*r) for r in conn.execute(query)]


def aws() -> list[ManagedPolicy]:
    return [_aws(p) for p in managed.policies().values()]


def insert(
    conn: Connection,
    account_id: str,
    name: str,
    path: str,
    description: str | None,
    document: str,
) -> ManagedPolicy:
    now = ids.now()
    policy_id = ids.new_id(ids.POLICY)
    statement = policies.insert().values(
        account_id=account_id,
        name=name,
        name_key=ids.name_key(name),
        path=path,
        policy_id=policy_id,
        description=description,
        default_version="v1",
        next_version=2,
        created_at=now,
        updated_at=now,
    )
    row = insert_new(conn, statement, AlreadyExists(name))
    conn.execute(
        versions.insert().values(policy_row=row, version_id="v1", document=document, created_at=now)
    )
    return ManagedPolicy(row, account_id, name, path, policy_id, description, "v1", now, now)


def list_versions(conn: Connection, policy: ManagedPolicy) -> list[Version]:
    """Newest first, as ListPolicyVersions answers."""
    if policy.row is None:
        found = managed.get(policy.arn)
        assert found is not None
        return [Version(found.default_version, found.document, found.updated_at)]
    query = sa.select(versions.c.version_id, versions.c.document, versions.c.created_at).where(
        versions.c.policy_row == policy.row
    )
    return sorted(
        (Version(*r) for r in conn.execute(query)),
        key=lambda v: int(v.version_id[1:].split(".")[0]),
        reverse=True,
    )


def get_version(conn: Connection, policy: ManagedPolicy, version_id: str) -> Version | None:
    return next((v for v in list_versions(conn, policy) if v.version_id == version_id), None)


def default_document(conn: Connection, policy: ManagedPolicy) -> str:
    found = get_version(conn, policy, policy.default_version)
    assert found is not None
    return found.document


def add_version(conn: Connection, policy: ManagedPolicy, document: str, set_default: bool) -> str:
    """A new version (numbers are never reused); its id."""
    assert policy.row is not None
    number = conn.execute(
        sa.select(policies.c.next_version).where(policies.c.id == policy.row)
    ).scalar_one()
    version_id = f"v{number}"
    now = ids.now()
    conn.execute(
        versions.insert().values(
            policy_row=policy.row, version_id=version_id, document=document, created_at=now
        )
    )
    values: dict[str, object] = {"next_version": number + 1, "updated_at": now}
    if set_default:
        values["default_version"] = version_id
    conn.execute(policies.update().where(policies.c.id == policy.row).values(**values))
    return version_id


def set_default(conn: Connection, policy: ManagedPolicy, version_id: str) -> None:
    assert policy.row is not None
    conn.execute(
        policies.update()
        .where(policies.c.id == policy.row)
        .values(default_version=version_id, updated_at=ids.now())
    )


def delete_version(conn: Connection, policy: ManagedPolicy, version_id: str) -> None:
    conn.execute(
        versions.delete().where(
            versions.c.policy_row == policy.row, versions.c.version_id == version_id
        )
    )


def delete(conn: Connection, policy: ManagedPolicy) -> None:
    conn.execute(versions.delete().where(versions.c.policy_row == policy.row))
    conn.execute(policies.delete().where(policies.c.id == policy.row))
