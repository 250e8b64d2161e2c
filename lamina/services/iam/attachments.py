"""Managed policies attached to roles, users and groups (principal kinds 'role', 'user',
'group', by row id), kept by policy ARN so AWS managed policies attach like any other."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.store.schema import iam_attachments as attachments


def attach(conn: Connection, account_id: str, kind: str, row: int, policy_arn: str) -> None:
    """Attaching twice changes nothing, as in IAM."""
    if policy_arn in arns_of(conn, kind, row):
        return
    conn.execute(
        attachments.insert().values(
            account_id=account_id, policy_arn=policy_arn, principal_kind=kind, principal_row=row
        )
    )


def detach(conn: Connection, kind: str, row: int, policy_arn: str) -> bool:
    """False when it was not attached."""
    query = attachments.delete().where(
        attachments.c.principal_kind == kind,
        attachments.c.principal_row == row,
        attachments.c.policy_arn == policy_arn,
    )
    return bool(conn.execute(query).rowcount)


def arns_of(conn: Connection, kind: str, row: int) -> list[str]:
    """In the order they were attached."""
    query = (
        sa.select(attachments.c.policy_arn)
        .where(attachments.c.principal_kind == kind, attachments.c.principal_row == row)
        .order_by(attachments.c.id)
    )
    return [r[0] for r in conn.execute(query)]


def count(conn: Connection, account_id: str, policy_arn: str) -> int:
    query = sa.select(sa.func.count()).where(
        attachments.c.account_id == account_id, attachments.c.policy_arn == policy_arn
    )
    return int(conn.execute(query).scalar_one())


def counts(conn: Connection, account_id: str) -> dict[str, int]:
    """Attachments per policy ARN in the account."""
    query = (
        sa.select(attachments.c.policy_arn, sa.func.count())
        .where(attachments.c.account_id == account_id)
        .group_by(attachments.c.policy_arn)
    )
    return {arn: int(n) for arn, n in conn.execute(query)}


def entities(conn: Connection, account_id: str, policy_arn: str) -> list[tuple[str, int]]:
    """(kind, row) of everything in the account the policy is attached to."""
    query = (
        sa.select(attachments.c.principal_kind, attachments.c.principal_row)
        .where(attachments.c.account_id == account_id, attachments.c.policy_arn == policy_arn)
        .order_by(attachments.c.id)
    )
    return [(kind, row) for kind, row in conn.execute(query)]
