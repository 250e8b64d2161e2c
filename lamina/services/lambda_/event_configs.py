"""Event invoke configs in the store: per function and qualifier, how its asynchronous invocations
are retried and where their records go. A config row goes with its function: the foreign key
cascades on DeleteFunction (SQLite runs with `PRAGMA foreign_keys=ON`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from lamina.store.schema import lambda_event_invoke_configs as configs


@dataclass(frozen=True)
class EventInvokeConfig:
    qualifier: str
    # The API's settings as given: MaximumRetryAttempts, MaximumEventAgeInSeconds and
    # DestinationConfig ({"OnSuccess": {"Destination": arn}, "OnFailure": ...}), each optional.
    config: dict[str, Any]
    last_modified: float  # seconds since the epoch


_COLUMNS = (configs.c.qualifier, configs.c.config, configs.c.last_modified)


def _one(function_id: int, qualifier: str) -> tuple[sa.ColumnElement[bool], ...]:
    return configs.c.function_id == function_id, configs.c.qualifier == qualifier


def get(
    conn: Connection, function_id: int, qualifier: str, for_update: bool = False
) -> EventInvokeConfig | None:
    """`for_update` locks the row (PostgreSQL) so that a read-merge-write loses no change."""
    query = sa.select(*_COLUMNS).where(*_one(function_id, qualifier))
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return EventInvokeConfig(*row) if row else None


def retry_settings(conn: Connection, function_id: int, qualifier: str) -> dict[str, Any] | None:
    """What the async invocation worker follows for an event of this function and qualifier:
    the stored settings, or None when the function has no config (Lambda's defaults apply)."""
    found = get(conn, function_id, qualifier)
    return found.config if found else None


def put(
    conn: Connection, function_id: int, qualifier: str, config: dict[str, Any], now: float
) -> EventInvokeConfig | None:
    """Store the config, replacing any; None when the function is gone meanwhile."""
    values = {"config": config, "last_modified": now}
    if not _update(conn, function_id, qualifier, values):
        try:
            # A savepoint: on PostgreSQL a failed insert would abort the whole transaction.
            with conn.begin_nested():
                conn.execute(
                    configs.insert().values(function_id=function_id, qualifier=qualifier, **values)
                )
        except IntegrityError:
            # Another node inserted it meanwhile (last writer wins, as Put does), or the
            # function was deleted meanwhile (the foreign key refused the row).
            if not _update(conn, function_id, qualifier, values):
                return None
    return EventInvokeConfig(qualifier, config, now)


def _update(conn: Connection, function_id: int, qualifier: str, values: dict[str, Any]) -> bool:
    result = conn.execute(configs.update().where(*_one(function_id, qualifier)).values(**values))
    return result.rowcount == 1


def delete(conn: Connection, function_id: int, qualifier: str) -> bool:
    result = conn.execute(configs.delete().where(*_one(function_id, qualifier)))
    return result.rowcount == 1


def list_page(
    conn: Connection, function_id: int, after: str | None, limit: int
) -> list[EventInvokeConfig]:
    """A function's configs in qualifier order, those after `after` (a page's last qualifier)."""
    query = sa.select(*_COLUMNS).where(configs.c.function_id == function_id)
    if after is not None:
        query = query.where(configs.c.qualifier > after)
    rows = conn.execute(query.order_by(configs.c.qualifier).limit(limit))
    return [EventInvokeConfig(*row) for row in rows]
