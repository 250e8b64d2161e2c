"""CloudWatch metrics: PutMetricData and ListMetrics here; the reads of datapoints
(GetMetricStatistics, GetMetricData) are in `reading.py`. Namespaces are free-form: Lamina's
own services record theirs (e.g. AWS/Lambda) through the MetricRecorder."""

from __future__ import annotations

import time
from typing import Any

from lamina.config import Settings
from lamina.context import RequestContext
from lamina.services.cloudwatch import dimensions, ingest, metrics, tokens
from lamina.services.cloudwatch.errors import invalid_value
from lamina.services.cloudwatch.reading import MetricReadOperations
from lamina.services.cloudwatch.recorder import MetricRecorder
from lamina.services.registry import Provider
from lamina.store import Store

PAGE = 500  # ListMetrics: "Up to 500 results are returned for any one call"
RECENT = 3 * 3600  # RecentlyActive=PT3H
LISTED = 14 * 86_400  # ListMetrics leaves out metrics with no data in the past two weeks


class CloudWatchProvider(MetricReadOperations, Provider):
    service_name = "cloudwatch"

    def __init__(self, store: Store, settings: Settings, recorder: MetricRecorder) -> None:
        self.store = store
        self.settings = settings
        self.recorder = recorder

    def reset(self) -> None:
        self.recorder.discard()

    def put_metric_data(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        # Written before the answer, not through the recorder: an accepted datum is durable.
        now = time.time()
        batch = ingest.batch_of(ctx, params, now)
        with self.store.write() as conn:
            metrics.write_batch(conn, batch, now)
        return {}

    def list_metrics(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("OwningAccount") not in (None, ctx.account_id):
            return {"Metrics": []}  # Lamina links no accounts: another one owns nothing here
        after: Any = 0
        if params.get("NextToken"):
            try:
                after = tokens.decode(params["NextToken"])
            except tokens.BadToken:
                after = None
            if not isinstance(after, int):
                raise invalid_value("The parameter NextToken is invalid.")
        now = time.time()
        since = now - (RECENT if params.get("RecentlyActive") == "PT3H" else LISTED)
        filters = [(d["Name"], d.get("Value")) for d in params.get("Dimensions") or []]
        self.recorder.flush()
        found = []
        with self.store.read() as conn:
            rows = metrics.listed(conn, ctx.account_id, ctx.region, params, since, after)
            for row in rows:
                if dimensions.matches(row.dimensions, filters):
                    found.append(row)
                    if len(found) > PAGE:
                        break
        result: dict[str, Any] = {
            "Metrics": [
                {
                    "Namespace": row.namespace,
                    "MetricName": row.metric_name,
                    "Dimensions": dimensions.to_api(row.dimensions),
                }
                for row in found[:PAGE]
            ]
        }
        if len(found) > PAGE:
            result["NextToken"] = tokens.encode(found[PAGE - 1].id)
        if params.get("IncludeLinkedAccounts"):
            result["OwningAccounts"] = [ctx.account_id] * len(result["Metrics"])
        return result
