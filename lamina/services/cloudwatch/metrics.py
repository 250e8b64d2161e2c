"""Metrics and their datapoints in the store."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from lamina.services.cloudwatch import dimensions
from lamina.services.cloudwatch.aggregate import Aggregate, Batch, Series
from lamina.store.schema import cloudwatch_datapoints as datapoints
from lamina.store.schema import cloudwatch_metrics as metrics

_CHUNK = 500  # rows per multi-row INSERT: well under either engine's limit on parameters
_LIST_CHUNK = 1000  # metric rows read at a time while ListMetrics filters on dimensions


def _insert(dialect: str) -> Any:
    return sqlite.insert if dialect == "sqlite" else postgresql.insert


@cache
def _merge_datapoint(dialect: str) -> Any:
    """Upsert of one aggregate: a new row, or merged into the row of the same slot."""
    statement = _insert(dialect)(datapoints)
    new, old = statement.excluded, datapoints.c
    return statement.on_conflict_do_update(
        index_elements=[old.metric_id, old.timestamp, old.unit],
        set_={
            "sample_count": old.sample_count + new.sample_count,
            "sum": old.sum + new.sum,
            "minimum": sa.case((new.minimum < old.minimum, new.minimum), else_=old.minimum),
            "maximum": sa.case((new.maximum > old.maximum, new.maximum), else_=old.maximum),
        },
    )


def _metric_ids(conn: Connection, series: set[Series], now: float) -> dict[Series, int]:
    """The row id of each series, made where missing; each one's last_published set to now."""
    rows = []
    for account, region, namespace, name, dims in series:
        text = dimensions.canonical(dims)
        key = dimensions.series_key(namespace, name, text)
        rows.append(((account, region, key), (account, region, namespace, name, dims, text)))
    # One order for every writer, so two nodes upserting the same series never deadlock.
    rows.sort(key=lambda row: row[0])
    ids: dict[Series, int] = {}
    c = metrics.c
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start : start + _CHUNK]
        values = [
            {
                "account_id": account,
                "region": region,
                "namespace": namespace,
                "metric_name": name,
                "dimensions": text,
                "series_key": key,
                "last_published": now,
            }
            for (_, _, key), (account, region, namespace, name, _, text) in chunk
        ]
        statement = _insert(conn.dialect.name)(metrics).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=[c.account_id, c.region, c.series_key],
            set_={"last_published": statement.excluded.last_published},
        ).returning(c.id, c.account_id, c.region, c.series_key)
        found = {(r.account_id, r.region, r.series_key): r.id for r in conn.execute(statement)}
        for identity, (account, region, namespace, name, dims, _) in chunk:
            ids[(account, region, namespace, name, dims)] = found[identity]
    return ids


def write_batch(conn: Connection, batch: Batch, now: float) -> None:
    """Merge every aggregate of the batch into the store, within the caller's transaction."""
    if not batch.slots:
        return
    ids = _metric_ids(conn, {series for series, _, _ in batch.slots}, now)
    rows = sorted(
        (
            {
                "metric_id": ids[series],
                "timestamp": bucket,
                "unit": unit,
                "sample_count": aggregate.sample_count,
                "sum": aggregate.sum,
                "minimum": aggregate.minimum,
                "maximum": aggregate.maximum,
            }
            for (series, bucket, unit), aggregate in batch.slots.items()
        ),
        key=lambda row: (row["metric_id"], row["timestamp"], row["unit"]),
    )
    conn.execute(_merge_datapoint(conn.dialect.name), rows)


_FIND = sa.select(metrics.c.id).where(
    metrics.c.account_id == sa.bindparam("account"),
    metrics.c.region == sa.bindparam("region"),
    metrics.c.series_key == sa.bindparam("key"),
)
_BUCKETS = sa.select(
    datapoints.c.timestamp,
    datapoints.c.unit,
    datapoints.c.sample_count,
    datapoints.c.sum,
    datapoints.c.minimum,
    datapoints.c.maximum,
).where(
    datapoints.c.metric_id == sa.bindparam("metric"),
    datapoints.c.timestamp >= sa.bindparam("start"),
    datapoints.c.timestamp < sa.bindparam("end"),
)
_BUCKETS_OF_UNIT = _BUCKETS.where(datapoints.c.unit == sa.bindparam("unit"))

Bucket = tuple[int, str, Aggregate]  # start (epoch seconds), unit, aggregate


def find(
    conn: Connection,
    account: str,
    region: str,
    namespace: str,
    name: str,
    dims: dimensions.Dimensions,
) -> int | None:
    key = dimensions.series_key(namespace, name, dimensions.canonical(dims))
    return conn.execute(_FIND, {"account": account, "region": region, "key": key}).scalar()


def buckets(
    conn: Connection, metric_id: int, start: int, end: int, unit: str | None
) -> list[Bucket]:
    """The stored buckets of a metric that start in [start, end), of one unit or of all."""
    found = {"metric": metric_id, "start": start, "end": end}
    if unit is None:
        rows = conn.execute(_BUCKETS, found)
    else:
        rows = conn.execute(_BUCKETS_OF_UNIT, dict(found, unit=unit))
    return [(row[0], row[1], Aggregate(row[2], row[3], row[4], row[5])) for row in rows]


def listed(
    conn: Connection,
    account: str,
    region: str,
    filters: dict[str, str],
    published_since: float,
    after_id: int,
) -> Iterator[Any]:
    """Metrics in id order after `after_id`, published since then, with namespace and name as
    filtered; read a chunk at a time, so a caller stops reading when its page is full."""
    c = metrics.c
    query = sa.select(c.id, c.namespace, c.metric_name, c.dimensions).where(
        c.account_id == account, c.region == region, c.last_published >= published_since
    )
    if "Namespace" in filters:
        query = query.where(c.namespace == filters["Namespace"])
    if "MetricName" in filters:
        query = query.where(c.metric_name == filters["MetricName"])
    while True:
        rows = conn.execute(query.where(c.id > after_id).order_by(c.id).limit(_LIST_CHUNK)).all()
        yield from rows
        if len(rows) < _LIST_CHUNK:
            return
        after_id = rows[-1].id
