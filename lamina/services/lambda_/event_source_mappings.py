"""Event source mappings in the store. A mapping is written by the API in a passing state
(Creating, Updating, Disabling …) and settled by the pollers once they follow it; a deleted one
stays, Deleting, until no node polls it any more. No foreign key to its function: as on AWS, a
mapping outlives DeleteFunction (its batches then fail)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from lamina.store.schema import lambda_event_source_mappings as mappings


@dataclass
class EventSourceMapping:
    uuid: str
    account_id: str
    region: str
    function_name: str
    function_arn: str  # qualified when the mapping names a qualifier
    event_source_arn: str
    enabled: bool  # what the caller asked for
    state: str
    # BatchSize, MaximumBatchingWindowInSeconds, FunctionResponseTypes, and when set
    # FilterCriteria and ScalingConfig, as the API takes them.
    config: dict[str, Any]
    last_modified: float  # seconds since the epoch
    created_at: float

    @property
    def arn(self) -> str:
        return mapping_arn(self.region, self.account_id, self.uuid)


class Duplicate(Exception):
    """A mapping of this source and function exists already: its UUID."""

    def __init__(self, uuid: str) -> None:
        super().__init__(uuid)
        self.uuid = uuid


def mapping_arn(region: str, account_id: str, uuid: str) -> str:
    return f"arn:aws:lambda:{region}:{account_id}:event-source-mapping:{uuid}"


_COLUMNS = tuple(mappings.c[name] for name in EventSourceMapping.__dataclass_fields__)


def _of(row: Any) -> EventSourceMapping:
    return EventSourceMapping(**row._mapping)


def _same_pair(event_source_arn: str, function_arn: str) -> tuple[sa.ColumnElement[bool], ...]:
    return (
        mappings.c.event_source_arn == event_source_arn,
        mappings.c.function_arn == function_arn,
    )


def find_pair(conn: Connection, event_source_arn: str, function_arn: str) -> str | None:
    query = sa.select(mappings.c.uuid).where(*_same_pair(event_source_arn, function_arn))
    return conn.execute(query).scalar()


def insert(conn: Connection, mapping: EventSourceMapping) -> None:
    existing = find_pair(conn, mapping.event_source_arn, mapping.function_arn)
    if existing:
        raise Duplicate(existing)
    try:
        with conn.begin_nested():  # a savepoint: PostgreSQL aborts a transaction on an error
            conn.execute(mappings.insert().values(**mapping.__dict__))
    except IntegrityError:
        # Made by another request meanwhile: the unique pair refused this one.
        existing = find_pair(conn, mapping.event_source_arn, mapping.function_arn)
        raise Duplicate(existing or "") from None


def get(
    conn: Connection, uuid: str, account_id: str | None = None, region: str | None = None
) -> EventSourceMapping | None:
    """The mapping, if it is the caller's (`account_id` and `region`; None: anyone's)."""
    query = sa.select(*_COLUMNS).where(mappings.c.uuid == uuid)
    if account_id is not None:
        query = query.where(mappings.c.account_id == account_id, mappings.c.region == region)
    row = conn.execute(query).first()
    return _of(row) if row else None


def replace(conn: Connection, mapping: EventSourceMapping, expected_state: str) -> bool:
    """Write the mapping's changed fields, if its state is still `expected_state`."""
    values = {key: value for key, value in mapping.__dict__.items() if key != "uuid"}
    result = conn.execute(
        mappings.update()
        .where(mappings.c.uuid == mapping.uuid, mappings.c.state == expected_state)
        .values(**values)
    )
    return result.rowcount == 1


def set_state(conn: Connection, uuid: str, expected: str, state: str) -> bool:
    result = conn.execute(
        mappings.update()
        .where(mappings.c.uuid == uuid, mappings.c.state == expected)
        .values(state=state)
    )
    return result.rowcount == 1


def delete(conn: Connection, uuid: str) -> None:
    conn.execute(mappings.delete().where(mappings.c.uuid == uuid))


def list_page(
    conn: Connection,
    account_id: str,
    region: str,
    function_arn: str | None,
    event_source_arn: str | None,
    after: str | None,
    limit: int,
) -> list[EventSourceMapping]:
    """The caller's mappings in UUID order, those after `after` (a page's last UUID)."""
    query = sa.select(*_COLUMNS).where(
        mappings.c.account_id == account_id, mappings.c.region == region
    )
    if function_arn is not None:
        query = query.where(mappings.c.function_arn == function_arn)
    if event_source_arn is not None:
        query = query.where(mappings.c.event_source_arn == event_source_arn)
    if after is not None:
        query = query.where(mappings.c.uuid > after)
    return [_of(row) for row in conn.execute(query.order_by(mappings.c.uuid).limit(limit))]


def every(conn: Connection) -> list[EventSourceMapping]:
    """All mappings of every account: what the pollers follow."""
    return [_of(row) for row in conn.execute(sa.select(*_COLUMNS).order_by(mappings.c.uuid))]
