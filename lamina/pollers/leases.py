"""Leases on mapping workers: one row per worker of a mapping (an SQS queue has one worker; a
stream would have one per shard). The node holding a live lease is the one that polls; it
renews the lease while it does and releases it when it stops, so a node that dies lets another
take over once the lease runs out."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from lamina.store.schema import poller_leases as leases


def _one(mapping: str, worker: str) -> tuple[sa.ColumnElement[bool], ...]:
    return leases.c.mapping == mapping, leases.c.worker == worker


def claim(
    conn: Connection, mapping: str, worker: str, owner: str, now: float, until: float
) -> bool:
    """Take the worker's lease if no one else holds a live one; True when `owner` holds it."""
    try:
        # A savepoint: on PostgreSQL a failed insert would abort the whole transaction.
        with conn.begin_nested():
            conn.execute(leases.insert().values(mapping=mapping, worker=worker))
    except IntegrityError:
        pass  # the row is there already: whether it is free is for the update to say
    free = sa.or_(leases.c.owner.is_(None), leases.c.lease_until < now, leases.c.owner == owner)
    result = conn.execute(
        leases.update().where(*_one(mapping, worker), free).values(owner=owner, lease_until=until)
    )
    return result.rowcount == 1


def renew(conn: Connection, owner: str, held: list[tuple[str, str]], until: float) -> None:
    for mapping, worker in held:
        conn.execute(
            leases.update()
            .where(*_one(mapping, worker), leases.c.owner == owner)
            .values(lease_until=until)
        )


def release(conn: Connection, owner: str | None, mapping: str | None = None) -> int:
    """Give up `owner`'s leases (None: every lease, for a node alone on its own store that is
    starting again), or only those on `mapping`."""
    query = leases.update().values(owner=None, lease_until=None)
    query = query.where(leases.c.owner.is_not(None) if owner is None else leases.c.owner == owner)
    if mapping is not None:
        query = query.where(leases.c.mapping == mapping)
    return int(conn.execute(query).rowcount)


def live(conn: Connection, mapping: str, now: float) -> bool:
    """Whether some node still polls the mapping (holds a lease that has not run out)."""
    query = sa.select(sa.func.count()).where(
        leases.c.mapping == mapping, leases.c.owner.is_not(None), leases.c.lease_until >= now
    )
    return bool(conn.execute(query).scalar_one())


def forget(conn: Connection, mapping: str) -> None:
    """A deleted mapping's rows go with it."""
    conn.execute(leases.delete().where(leases.c.mapping == mapping))
