"""PutMetricData's input, checked as AWS checks it, as a batch of aggregates to write."""

from __future__ import annotations

import math
from typing import Any

from lamina.context import RequestContext
from lamina.services.cloudwatch.aggregate import STANDARD_RESOLUTION, Aggregate, Batch
from lamina.services.cloudwatch.dimensions import from_api
from lamina.services.cloudwatch.errors import combination, invalid_value, missing

MAX_METRICS = 1000  # MetricData and EntityMetricData together, per request
MAX_VALUES = 150  # distinct values in one datum's Values
LIMIT = 2.0**360  # values must lie within ±2^360
PAST = 14 * 86_400  # timestamps up to two weeks back ...
FUTURE = 2 * 3600  # ... and two hours ahead
RESOLUTIONS = (1, STANDARD_RESOLUTION)  # high resolution keeps 1 s buckets


def batch_of(ctx: RequestContext, params: dict[str, Any], now: float) -> Batch:
    namespace = params["Namespace"]
    if namespace.startswith("AWS/"):
        raise invalid_value("The value AWS/ for parameter Namespace is invalid.")
    data = [(f"MetricData.member.{i}", d) for i, d in enumerate(params.get("MetricData") or [], 1)]
    # An entity only links metrics to related telemetry in AWS's console; its data is kept.
    for e, entity in enumerate(params.get("EntityMetricData") or [], 1):
        where = f"EntityMetricData.member.{e}.MetricData.member"
        data += [(f"{where}.{i}", d) for i, d in enumerate(entity.get("MetricData") or [], 1)]
    if not data:
        raise missing("The parameter MetricData is required.")
    if len(data) > MAX_METRICS:
        raise invalid_value(
            f"The collection MetricData must not have a size greater than {MAX_METRICS}."
        )
    batch = Batch()
    for where, datum in data:
        _add(batch, ctx, namespace, where, datum, now)
    return batch


def _add(
    batch: Batch,
    ctx: RequestContext,
    namespace: str,
    where: str,
    datum: dict[str, Any],
    now: float,
) -> None:
    dims = from_api(datum.get("Dimensions"))
    if dims is None:
        raise invalid_value(f"The parameter {where}.Dimensions must not repeat a dimension name.")
    timestamp = datum["Timestamp"].timestamp() if datum.get("Timestamp") else now
    if timestamp > now + FUTURE:
        raise invalid_value(
            f"The parameter {where}.Timestamp must specify a time no more than two hours in "
            "the future."
        )
    if timestamp < now - PAST:
        raise invalid_value(
            f"The parameter {where}.Timestamp must specify a time within the past two weeks."
        )
    resolution = datum.get("StorageResolution", STANDARD_RESOLUTION)
    if resolution not in RESOLUTIONS:
        raise invalid_value(
            f"The value {resolution} for parameter {where}.StorageResolution is invalid."
        )
    series = (ctx.account_id, ctx.region, namespace, datum["MetricName"], dims)
    unit = datum.get("Unit") or "None"
    for aggregate in _aggregates(where, datum):
        batch.add(series, timestamp, unit, aggregate, resolution)


def _aggregates(where: str, datum: dict[str, Any]) -> list[Aggregate]:
    given = [k for k in ("Value", "Values", "StatisticValues") if datum.get(k) not in (None, [])]
    if len(given) > 1:
        raise combination(
            f"The parameters {where}.{given[0]} and {where}.{given[1]} are mutually exclusive "
            "and you have specified both."
        )
    if not given:
        raise missing(
            f"At least one of the parameters {where}.Value, {where}.Values or "
            f"{where}.StatisticValues must be specified."
        )
    if given[0] == "Value":
        return [Aggregate.of_value(_number(datum["Value"], f"{where}.Value"))]
    if given[0] == "Values":
        return _of_values(where, datum["Values"], datum.get("Counts"))
    return [_of_statistic_set(f"{where}.StatisticValues", datum["StatisticValues"])]


def _of_values(where: str, values: list[float], counts: list[float] | None) -> list[Aggregate]:
    if len(values) > MAX_VALUES:
        raise invalid_value(
            f"The collection {where}.Values must not have a size greater than {MAX_VALUES}."
        )
    if counts and len(counts) != len(values):
        raise invalid_value(
            f"The parameters {where}.Values and {where}.Counts must be of the same size."
        )
    found = []
    for i, value in enumerate(values):
        count = _number(counts[i], f"{where}.Counts") if counts else 1.0
        if count < 0:
            raise invalid_value(f"The value {count} for parameter {where}.Counts is invalid.")
        if count:  # a value that occurred no times adds nothing
            found.append(Aggregate.of_value(_number(value, f"{where}.Values"), count))
    return found


def _of_statistic_set(where: str, given: dict[str, float]) -> Aggregate:
    aggregate = Aggregate(
        _number(given["SampleCount"], f"{where}.SampleCount"),
        _number(given["Sum"], f"{where}.Sum"),
        _number(given["Minimum"], f"{where}.Minimum"),
        _number(given["Maximum"], f"{where}.Maximum"),
    )
    if aggregate.sample_count <= 0:
        raise invalid_value(f"The parameter {where}.SampleCount must be greater than 0.")
    if aggregate.maximum < aggregate.minimum:
        raise invalid_value(
            f"The parameter {where}.Maximum must be greater than or equal to {where}.Minimum."
        )
    return aggregate


def _number(value: float, where: str) -> float:
    """A value CloudWatch accepts: finite, within ±2^360."""
    number = float(value)
    if not math.isfinite(number) or abs(number) > LIMIT:
        raise invalid_value(f"The value {value} for parameter {where} is invalid.")
    return number
