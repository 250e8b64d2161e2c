"""GetMetricData's MetricDataQueries, checked: each one a metric, a period and a statistic."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lamina.context import RequestContext
from lamina.services.cloudwatch.dimensions import Dimensions, from_api
from lamina.services.cloudwatch.errors import AGGREGATES_ONLY, not_supported, validation
from lamina.services.cloudwatch.periods import STATISTICS, valid_period

MAX_QUERIES = 500
_ID = re.compile(r"[a-z][a-zA-Z0-9_]*")
# Percentiles, trimmed and winsorized means, and the like: CloudWatch's extended statistics.
_EXTENDED = re.compile(r"(p|tm|wm|tc|ts|pr|iqm)(\(.*\)|\d.*)?", re.IGNORECASE)


@dataclass(frozen=True)
class MetricQuery:
    id: str
    label: str
    return_data: bool
    namespace: str
    metric_name: str
    dimensions: Dimensions | None  # None: a repeated name, which matches no metric
    period: int
    stat: str
    unit: str | None


def parse(ctx: RequestContext, queries: list[dict[str, Any]]) -> list[MetricQuery]:
    if len(queries) > MAX_QUERIES:
        raise validation(
            f"The collection MetricDataQueries must not have a size greater than {MAX_QUERIES}."
        )
    parsed: list[MetricQuery] = []
    seen: set[str] = set()
    for i, query in enumerate(queries, 1):
        where = f"MetricDataQueries.member.{i}"
        found = _parse_one(ctx, query, where)
        if found.id in seen:
            raise validation(f"The value {found.id} for parameter {where}.Id is not unique.")
        seen.add(found.id)
        parsed.append(found)
    return parsed


def _parse_one(ctx: RequestContext, query: dict[str, Any], where: str) -> MetricQuery:
    query_id = query["Id"]
    if not _ID.fullmatch(query_id):
        raise validation(
            f"The value {query_id} for parameter {where}.Id is invalid: it must start with a "
            "lowercase letter and hold only letters, digits and underscores."
        )
    if query.get("Expression") is not None:
        raise validation(not_supported("metric math or Metrics Insights queries (Expression)"))
    if query.get("AccountId") not in (None, ctx.account_id):
        raise validation(not_supported("cross-account queries (AccountId)"))
    stat_of = query.get("MetricStat")
    if stat_of is None:
        raise validation(f"The parameter {where}.MetricStat is required.")
    metric = stat_of["Metric"]
    for member in ("Namespace", "MetricName"):
        if not metric.get(member):
            raise validation(f"The parameter {where}.MetricStat.Metric.{member} is required.")
    if not valid_period(stat_of["Period"]):
        raise validation(
            f"The parameter {where}.MetricStat.Period must be 1, 5, 10, 20, 30 or a multiple of 60."
        )
    stat = stat_of["Stat"]
    if stat not in STATISTICS:
        if _EXTENDED.fullmatch(stat):
            raise validation(f"{not_supported(f'the statistic {stat}')} {AGGREGATES_ONLY}")
        raise validation(f"The value {stat} for parameter {where}.MetricStat.Stat is invalid.")
    return MetricQuery(
        id=query_id,
        label=query.get("Label") or metric["MetricName"],
        return_data=query.get("ReturnData", True),
        namespace=metric["Namespace"],
        metric_name=metric["MetricName"],
        dimensions=from_api(metric.get("Dimensions")),
        period=stat_of["Period"],
        stat=stat,
        unit=stat_of.get("Unit"),
    )
