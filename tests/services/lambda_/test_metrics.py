"""Lambda's metrics, read back through CloudWatch (namespace AWS/Lambda, per FunctionName and
for the whole account, without dimensions) and through Prometheus at /_lamina/metrics."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import requests
from botocore.exceptions import ClientError

from tests.conftest import client, create_function, make_zip, wait_for
from tests.services.lambda_.asyncing import MARKING, marks

CODE = {"ZipFile": make_zip({"handler.py": MARKING})}


def _statistic(
    cloudwatch, function: str | None, metric: str, statistic: str = "Sum"
) -> float | None:
    """The statistic over the last minutes, of one function or (None) of the whole account."""
    now = dt.datetime.now(dt.UTC)
    points = cloudwatch.get_metric_statistics(
        Namespace="AWS/Lambda",
        MetricName=metric,
        Dimensions=[{"Name": "FunctionName", "Value": function}] if function else [],
        StartTime=now - dt.timedelta(minutes=10),
        EndTime=now + dt.timedelta(minutes=1),
        Period=3600,
        Statistics=[statistic],
    )["Datapoints"]
    return points[0][statistic] if points else None


def _run_some(lambda_client, name: str) -> int:
    """Three invocations, one failing; then throttled ones: how many (boto3 retries a 429)."""
    create_function(lambda_client, name, Code=CODE)
    for payload in ({"n": 1}, {"n": 2}, {"fail": True}):
        lambda_client.invoke(FunctionName=name, Payload=json.dumps(payload).encode())
    lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    with pytest.raises(ClientError) as caught:
        lambda_client.invoke(FunctionName=name, Payload=b"{}")
    return 1 + int(caught.value.response["ResponseMetadata"].get("RetryAttempts", 0))


def test_invocations_errors_throttles_and_duration_reach_cloudwatch(endpoint, lambda_client):
    throttled = _run_some(lambda_client, "measured")
    cloudwatch = client("cloudwatch", endpoint)
    assert _statistic(cloudwatch, "measured", "Invocations") == 3
    assert _statistic(cloudwatch, "measured", "Errors") == 1
    assert _statistic(cloudwatch, "measured", "Throttles") == throttled
    assert _statistic(cloudwatch, "measured", "Duration", "SampleCount") == 3
    assert _statistic(cloudwatch, "measured", "Duration", "Maximum") > 0
    assert _statistic(cloudwatch, "measured", "ConcurrentExecutions", "Maximum") == 1
    listed = cloudwatch.list_metrics(
        Namespace="AWS/Lambda", Dimensions=[{"Name": "FunctionName", "Value": "measured"}]
    )["Metrics"]
    assert {"Invocations", "Errors", "Throttles", "Duration"} <= {m["MetricName"] for m in listed}


def test_account_wide_totals_are_published_without_dimensions(endpoint):
    owner = "111122223333"  # an account of this test's own: its totals are only its functions'
    lam = client("lambda", endpoint, access_key=owner)
    cloudwatch = client("cloudwatch", endpoint, access_key=owner)
    for name, calls in (("one", 2), ("two", 3)):
        create_function(lam, name, Code=CODE)
        for n in range(calls):
            lam.invoke(FunctionName=name, Payload=json.dumps({"n": n}).encode())
    lam.invoke(FunctionName="two", Payload=b'{"fail": true}')
    assert _statistic(cloudwatch, None, "Invocations") == 6
    assert _statistic(cloudwatch, None, "Errors") == 1
    assert _statistic(cloudwatch, None, "Duration", "SampleCount") == 6
    assert _statistic(cloudwatch, None, "ConcurrentExecutions", "Maximum") == 1
    assert (
        _statistic(cloudwatch, "one", "Invocations"),
        _statistic(cloudwatch, "two", "Invocations"),
    ) == (2, 4)
    listed = cloudwatch.list_metrics(Namespace="AWS/Lambda", MetricName="Invocations")["Metrics"]
    assert sorted(json.dumps(m["Dimensions"]) for m in listed) == [
        "[]",
        json.dumps([{"Name": "FunctionName", "Value": "one"}]),
        json.dumps([{"Name": "FunctionName", "Value": "two"}]),
    ]


def test_async_metrics_count_received_age_and_dropped(endpoint, lambda_client):
    create_function(lambda_client, "queued", Code=CODE)
    lambda_client.put_function_event_invoke_config(FunctionName="queued", MaximumRetryAttempts=0)
    for payload in ({"n": 1}, {"fail": True}):
        lambda_client.invoke(
            FunctionName="queued", InvocationType="Event", Payload=json.dumps(payload).encode()
        )
    logs, cloudwatch = client("logs", endpoint), client("cloudwatch", endpoint)
    wait_for(lambda: len(marks(logs, "queued")) == 2)
    assert _statistic(cloudwatch, "queued", "AsyncEventsReceived") == 2
    assert wait_for(lambda: _statistic(cloudwatch, "queued", "AsyncEventsDropped")) == 1
    assert _statistic(cloudwatch, "queued", "AsyncEventAge", "SampleCount") == 2
    assert _statistic(cloudwatch, "queued", "Invocations") == 2


def test_prometheus_text_has_the_function_counters(endpoint, lambda_client):
    throttled = _run_some(lambda_client, "scraped")
    response = requests.get(f"{endpoint}/_lamina/metrics", timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    labels = '{account="000000000000",region="us-east-1",function_name="scraped"}'
    lines = set(response.text.splitlines())
    assert f"lamina_lambda_invocations_total{labels} 3" in lines
    assert f"lamina_lambda_errors_total{labels} 1" in lines
    assert f"lamina_lambda_throttles_total{labels} {throttled}" in lines
    assert f"lamina_lambda_duration_milliseconds_count{labels} 3" in lines
    assert "# TYPE lamina_lambda_concurrent_executions gauge" in lines
