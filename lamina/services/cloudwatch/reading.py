"""GetMetricStatistics and GetMetricData: stored aggregates merged into the asked periods."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy.engine import Connection

from lamina.context import RequestContext
from lamina.services.cloudwatch import metrics, periods, queries, tokens
from lamina.services.cloudwatch.dimensions import Dimensions, from_api
from lamina.services.cloudwatch.errors import (
    AGGREGATES_ONLY,
    combination,
    invalid_next_token,
    invalid_value,
    not_supported,
    validation,
)
from lamina.services.cloudwatch.queries import MetricQuery
from lamina.services.cloudwatch.recorder import MetricRecorder
from lamina.store import Store

MAX_STATISTICS_DATAPOINTS = 1440  # GetMetricStatistics, per call
MAX_DATA_DATAPOINTS = 100_800  # GetMetricData's default MaxDatapoints

Point = tuple[int, float]  # a period's start (epoch seconds), the statistic's value


class MetricReadOperations:
    store: Store
    recorder: MetricRecorder

    def get_metric_statistics(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        statistics = params.get("Statistics") or []
        if statistics and params.get("ExtendedStatistics"):
            raise combination(
                "The parameters Statistics and ExtendedStatistics are mutually exclusive and you "
                "have specified both."
            )
        if params.get("ExtendedStatistics"):
            raise invalid_value(
                f"{not_supported('ExtendedStatistics (percentiles)')} {AGGREGATES_ONLY}"
            )
        if not statistics:
            raise combination("You must specify either Statistics or ExtendedStatistics.")
        window = periods.window(
            params["StartTime"], params["EndTime"], params["Period"], time.time(), invalid_value
        )
        if window.count > MAX_STATISTICS_DATAPOINTS:
            raise combination(
                f"You have requested up to {window.count} datapoints, which exceeds the limit of "
                f"{MAX_STATISTICS_DATAPOINTS}. You may reduce the datapoints requested by "
                "increasing Period, or decreasing the time range."
            )
        self.recorder.flush()  # what this node recorded is readable at once
        name = params["MetricName"]
        metric = (params["Namespace"], name, from_api(params.get("Dimensions")))
        with self.store.read() as conn:
            found = _buckets(conn, ctx, metric, params.get("Unit"), window)
        datapoints = []
        for (start, unit), aggregate in sorted(periods.in_periods(found, window).items()):
            point: dict[str, Any] = {"Timestamp": start, "Unit": unit}
            for statistic in statistics:
                point[statistic] = periods.STATISTICS[statistic](aggregate)
            datapoints.append(point)
        return {"Label": name, "Datapoints": datapoints}

    def get_metric_data(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        now = time.time()
        start, end = params["StartTime"], params["EndTime"]
        periods.window(start, end, 60, now, validation)  # StartTime and EndTime, checked once
        wanted = queries.parse(ctx, params["MetricDataQueries"])
        limit = params.get("MaxDatapoints", MAX_DATA_DATAPOINTS)
        if limit < 1:
            raise validation("The parameter MaxDatapoints must be greater than 0.")
        descending = params.get("ScanBy", "TimestampDescending") == "TimestampDescending"
        digest = tokens.digest(params)
        after = _resume(params.get("NextToken"), digest, len(wanted))
        self.recorder.flush()
        results: list[dict[str, Any]] = []
        budget, partial = limit, False
        with self.store.read() as conn:
            for i, query in enumerate(wanted):
                if not query.return_data:  # without metric math, nothing else needs it
                    continue
                window = periods.window(start, end, query.period, now, validation)
                points = _series(conn, ctx, query, window, descending)
                last = after[i]
                if last is not None:
                    points = [p for p in points if (p[0] < last if descending else p[0] > last)]
                shown = points[:budget]
                budget -= len(shown)
                complete = len(shown) == len(points)
                partial = partial or not complete
                if shown:
                    after[i] = shown[-1][0]
                results.append(
                    {
                        "Id": query.id,
                        "Label": query.label,
                        "Timestamps": [t for t, _ in shown],
                        "Values": [v for _, v in shown],
                        "StatusCode": "Complete" if complete else "PartialData",
                    }
                )
        answer: dict[str, Any] = {"MetricDataResults": results, "Messages": []}
        if partial:
            answer["NextToken"] = tokens.encode({"d": digest, "a": after})
        return answer


def _buckets(
    conn: Connection,
    ctx: RequestContext,
    metric: tuple[str, str, Dimensions | None],
    unit: str | None,
    window: periods.Window,
) -> list[metrics.Bucket]:
    """A metric's buckets in the window: (namespace, name, dimensions) match exactly."""
    namespace, name, dims = metric
    if dims is None:  # a dimension name given twice: no metric has that
        return []
    metric_id = metrics.find(conn, ctx.account_id, ctx.region, namespace, name, dims)
    if metric_id is None:
        return []
    return metrics.buckets(conn, metric_id, window.start, window.end, unit)


def _series(
    conn: Connection,
    ctx: RequestContext,
    query: MetricQuery,
    window: periods.Window,
    descending: bool,
) -> list[Point]:
    """The query's statistic per period that has data, in the order asked for."""
    metric = (query.namespace, query.metric_name, query.dimensions)
    found = _buckets(conn, ctx, metric, query.unit, window)
    merged = periods.in_periods(found, window, by_unit=False)
    statistic = periods.STATISTICS[query.stat]
    points = [(start, statistic(aggregate)) for (start, _), aggregate in merged.items()]
    return sorted(points, reverse=descending)


def _resume(token: str | None, digest: str, count: int) -> list[int | None]:
    """Per query, the timestamp the last page ended at (None: nothing shown yet)."""
    if not token:
        return [None] * count
    try:
        state = tokens.decode(token)
    except tokens.BadToken:
        raise invalid_next_token() from None
    if not isinstance(state, dict) or state.get("d") != digest:
        raise invalid_next_token()
    after = state.get("a")
    if not isinstance(after, list) or len(after) != count:
        raise invalid_next_token()
    if not all(a is None or isinstance(a, int) for a in after):
        raise invalid_next_token()
    return after
