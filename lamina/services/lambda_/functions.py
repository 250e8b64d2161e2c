"""Functions in the store: one row per function, one per version ($LATEST for now)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.services.lambda_.arns import LATEST
from lamina.store.rows import insert_new
from lamina.store.schema import lambda_function_versions as versions
from lamina.store.schema import lambda_functions as functions


@dataclass(frozen=True)
class FunctionVersion:
    function_id: int
    name: str
    version: str
    config: dict[str, Any]
    code_digest: str
    revision_id: str
    reserved_concurrency: int | None


_COLUMNS = (
    functions.c.id,
    functions.c.name,
    versions.c.version,
    versions.c.config,
    versions.c.code_digest,
    versions.c.revision_id,
    functions.c.reserved_concurrency,
)


def _row(row: Any) -> FunctionVersion:
    return FunctionVersion(*row)


def _select() -> sa.Select[Any]:
    return sa.select(*_COLUMNS).select_from(
        functions.join(versions, versions.c.function_id == functions.c.id)
    )


# The hot reads are built once, with bind parameters: building a statement costs more than
# running it on SQLite, and a prebuilt one also hits SQLAlchemy's compiled-statement cache.
_IN_REGION = (
    functions.c.account_id == sa.bindparam("account"),
    functions.c.region == sa.bindparam("region"),
)
_GET = _select().where(
    *_IN_REGION,
    functions.c.name == sa.bindparam("name"),
    versions.c.version == sa.bindparam("version"),
)
_LIST = _select().where(*_IN_REGION, versions.c.version == LATEST).order_by(functions.c.name)
_LIST_FIRST = _LIST.limit(sa.bindparam("limit"))
_LIST_AFTER = _LIST.where(functions.c.name > sa.bindparam("after")).limit(sa.bindparam("limit"))


def get(
    conn: Connection, account: str, region: str, name: str, version: str = LATEST
) -> FunctionVersion | None:
    found = {"account": account, "region": region, "name": name, "version": version}
    row = conn.execute(_GET, found).first()
    return _row(row) if row else None


class AlreadyExists(Exception):
    pass


def insert(
    conn: Connection, account: str, region: str, config: dict[str, Any], digest: str
) -> FunctionVersion:
    name = config["FunctionName"]
    row = functions.insert().values(
        account_id=account, region=region, name=name, created_at=time.time()
    )
    function_id = insert_new(conn, row, AlreadyExists(name))
    conn.execute(
        versions.insert().values(
            function_id=function_id,
            version=LATEST,
            config=config,
            code_digest=digest,
            code_size=config["CodeSize"],
            revision_id=config["RevisionId"],
        )
    )
    return FunctionVersion(function_id, name, LATEST, config, digest, config["RevisionId"], None)


def replace(
    conn: Connection, current: FunctionVersion, config: dict[str, Any], digest: str
) -> bool:
    """Write a new configuration if nobody else did since `current` was read (optimistic lock)."""
    result = conn.execute(
        versions.update()
        .where(
            versions.c.function_id == current.function_id,
            versions.c.version == current.version,
            versions.c.revision_id == current.revision_id,
        )
        .values(
            config=config,
            code_digest=digest,
            code_size=config["CodeSize"],
            revision_id=config["RevisionId"],
        )
    )
    return result.rowcount == 1


def delete(conn: Connection, function_id: int) -> None:
    conn.execute(versions.delete().where(versions.c.function_id == function_id))
    conn.execute(functions.delete().where(functions.c.id == function_id))


def list_latest(
    conn: Connection, account: str, region: str, after: str | None, limit: int
) -> list[FunctionVersion]:
    page = {"account": account, "region": region, "limit": limit}
    if after is None:
        rows = conn.execute(_LIST_FIRST, page)
    else:
        rows = conn.execute(_LIST_AFTER, dict(page, after=after))
    return [_row(row) for row in rows]


def set_reserved_concurrency(conn: Connection, function_id: int, value: int | None) -> None:
    conn.execute(
        functions.update().where(functions.c.id == function_id).values(reserved_concurrency=value)
    )


def reserved_total(conn: Connection, account: str, region: str, excluding: int = 0) -> int:
    total = conn.execute(
        sa.select(sa.func.coalesce(sa.func.sum(functions.c.reserved_concurrency), 0)).where(
            functions.c.account_id == account,
            functions.c.region == region,
            functions.c.id != excluding,
        )
    ).scalar_one()
    return int(total)


def usage(conn: Connection, account: str, region: str) -> tuple[int, int]:
    """(total code size of every version, number of functions) in this account and region."""
    size = sa.func.coalesce(sa.func.sum(versions.c.code_size), 0)
    row = conn.execute(
        sa.select(size, sa.func.count(sa.distinct(functions.c.id)))
        .select_from(functions.join(versions, versions.c.function_id == functions.c.id))
        .where(functions.c.account_id == account, functions.c.region == region)
    ).one()
    return int(row[0]), int(row[1])


# -- published versions ----------------------------------------------------------------------


def next_version(conn: Connection, function_id: int) -> int:
    """Take the function's next version number (the row stays locked till the commit)."""
    conn.execute(
        functions.update()
        .where(functions.c.id == function_id)
        .values(last_version=functions.c.last_version + 1)
    )
    number = conn.execute(
        sa.select(functions.c.last_version).where(functions.c.id == function_id)
    ).scalar_one()
    return int(number)


def insert_version(
    conn: Connection, latest: FunctionVersion, version: str, config: dict[str, Any]
) -> FunctionVersion:
    conn.execute(
        versions.insert().values(
            function_id=latest.function_id,
            version=version,
            config=config,
            code_digest=latest.code_digest,
            code_size=config["CodeSize"],
            revision_id=config["RevisionId"],
        )
    )
    return FunctionVersion(
        latest.function_id,
        latest.name,
        version,
        config,
        latest.code_digest,
        config["RevisionId"],
        latest.reserved_concurrency,
    )


def every_version(conn: Connection, function_id: int) -> list[FunctionVersion]:
    """$LATEST first, then the published versions in their order."""
    rows = conn.execute(_select().where(functions.c.id == function_id))
    found = [_row(row) for row in rows]
    return sorted(found, key=lambda v: -1 if v.version == LATEST else int(v.version))


def delete_version(conn: Connection, function_id: int, version: str) -> bool:
    result = conn.execute(
        versions.delete().where(
            versions.c.function_id == function_id, versions.c.version == version
        )
    )
    return result.rowcount == 1


def lock(conn: Connection, function_id: int) -> None:
    """Hold the function's row till the commit (a no-op write takes its lock on PostgreSQL)."""
    conn.execute(
        functions.update()
        .where(functions.c.id == function_id)
        .values(last_version=functions.c.last_version)
    )


def list_every_version(conn: Connection, account: str, region: str) -> list[FunctionVersion]:
    """Every version of every function in the region: by name, then $LATEST, 1, 2, ..."""
    rows = conn.execute(_select().where(*_IN_REGION), {"account": account, "region": region})
    found = [_row(row) for row in rows]
    return sorted(found, key=lambda v: (v.name, -1 if v.version == LATEST else int(v.version)))
