"""Inline policies of roles, users and groups (principal kind and row id)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.services.iam.policy_documents import compact_size
from lamina.store.schema import iam_inline_policies as inline

# IAM's quotas on the total size of a principal's inline policies (whitespace not counted).
MAX_TOTAL = {"role": 10_240, "user": 2_048, "group": 5_120}


def _of(kind: str, row: int) -> tuple[sa.ColumnElement[bool], sa.ColumnElement[bool]]:
    return inline.c.principal_kind == kind, inline.c.principal_row == row


def put(conn: Connection, kind: str, row: int, name: str, document: str) -> None:
    """Adds the policy, or replaces the one of that name."""
    updated = conn.execute(
        inline.update().where(*_of(kind, row), inline.c.name == name).values(document=document)
    )
    if not updated.rowcount:
        conn.execute(
            inline.insert().values(
                principal_kind=kind, principal_row=row, name=name, document=document
            )
        )


def get(conn: Connection, kind: str, row: int, name: str) -> str | None:
    query = sa.select(inline.c.document).where(*_of(kind, row), inline.c.name == name)
    found = conn.execute(query).first()
    return found[0] if found else None


def all_of(conn: Connection, kind: str, row: int) -> list[tuple[str, str]]:
    """(name, document) of each, by name."""
    query = sa.select(inline.c.name, inline.c.document).where(*_of(kind, row))
    return sorted((name, document) for name, document in conn.execute(query))


def names(conn: Connection, kind: str, row: int) -> list[str]:
    return [name for name, _ in all_of(conn, kind, row)]


def total_size_with(conn: Connection, kind: str, row: int, name: str, document: str) -> int:
    """The size of the principal's inline policies once `name` is `document`."""
    others = [d for n, d in all_of(conn, kind, row) if n != name]
    return sum(compact_size(d) for d in others) + compact_size(document)


def delete(conn: Connection, kind: str, row: int, name: str) -> bool:
    query = inline.delete().where(*_of(kind, row), inline.c.name == name)
    return bool(conn.execute(query).rowcount)
