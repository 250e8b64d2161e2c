"""CloudWatch speaks three protocols: query (older SDKs and the CLI), json, and
smithy-rpc-v2-cbor (newer SDKs). The same calls give the same answers in each."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.exceptions import ClientError

from tests.conftest import error_of
from tests.services.cloudwatch.conftest import dims, minute, protocol_client

MINUTE = dt.timedelta(minutes=1)
PROTOCOLS = ["query", "json", "smithy-rpc-v2-cbor"]


@pytest.fixture(params=PROTOCOLS)
def cw(request, endpoint, models):
    return protocol_client(endpoint, models, request.param)


def test_put_then_read_back(cw):
    at = minute(4)
    host = dims(Host="a")
    cw.put_metric_data(
        Namespace="App",
        MetricData=[
            {"MetricName": "Latency", "Dimensions": host, "Value": 2.5, "Timestamp": at},
            {
                "MetricName": "Latency",
                "Dimensions": host,
                "Values": [1.0, 4.0],
                "Counts": [3.0, 1.0],
                "Timestamp": at,
                "Unit": "Milliseconds",
            },
            {
                "MetricName": "Latency",
                "Dimensions": host,
                "StatisticValues": {"SampleCount": 2, "Sum": 10, "Minimum": 3, "Maximum": 7},
                "Timestamp": at + MINUTE,
            },
        ],
    )
    answer = cw.get_metric_statistics(
        Namespace="App",
        MetricName="Latency",
        Dimensions=host,
        StartTime=at,
        EndTime=at + 2 * MINUTE,
        Period=120,
        Statistics=["SampleCount", "Sum", "Minimum", "Maximum", "Average"],
    )
    assert answer["Label"] == "Latency"
    points = sorted(answer["Datapoints"], key=lambda p: p["Unit"])
    assert [(p["Timestamp"], p["Unit"]) for p in points] == [(at, "Milliseconds"), (at, "None")]
    assert [(p["SampleCount"], p["Sum"], p["Minimum"], p["Maximum"]) for p in points] == [
        (4.0, 7.0, 1.0, 4.0),
        (3.0, 12.5, 2.5, 7.0),
    ]
    data = cw.get_metric_data(
        MetricDataQueries=[
            {
                "Id": "m",
                "MetricStat": {
                    "Metric": {"Namespace": "App", "MetricName": "Latency", "Dimensions": host},
                    "Period": 60,
                    "Stat": "Maximum",
                },
            }
        ],
        StartTime=at,
        EndTime=at + 2 * MINUTE,
    )
    (result,) = data["MetricDataResults"]
    assert result["Timestamps"] == [at + MINUTE, at]
    assert result["Values"] == [7.0, 4.0]
    assert result["StatusCode"] == "Complete"
    metrics = cw.list_metrics(Dimensions=[{"Name": "Host", "Value": "a"}])["Metrics"]
    assert metrics == [{"Namespace": "App", "MetricName": "Latency", "Dimensions": host}]


def test_a_large_compressed_put(cw):
    # botocore gzips a PutMetricData body over 10 KiB in the query protocol.
    at = minute(2)
    data = [
        {"MetricName": f"metric-{i}", "Dimensions": dims(Index=str(i)), "Value": i, "Timestamp": at}
        for i in range(1000)
    ]
    cw.put_metric_data(Namespace="Bulk", MetricData=data)
    pages = cw.get_paginator("list_metrics").paginate(Namespace="Bulk")
    assert sum(len(page["Metrics"]) for page in pages) == 1000


def test_errors_keep_their_codes_and_status(cw):
    with pytest.raises(ClientError) as excinfo:
        cw.put_metric_data(Namespace="AWS/EC2", MetricData=[{"MetricName": "M", "Value": 1}])
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        400,
        "The value AWS/ for parameter Namespace is invalid.",
    )
    with pytest.raises(ClientError) as excinfo:
        cw.get_metric_statistics(
            Namespace="App",
            MetricName="M",
            StartTime=minute(10),
            EndTime=minute(0),
            Period=61,
            Statistics=["Sum"],
        )
    assert error_of(excinfo)[:2] == ("InvalidParameterValue", 400)
    with pytest.raises(ClientError) as excinfo:
        cw.get_metric_data(
            MetricDataQueries=[{"Id": "e", "Expression": "SUM(METRICS())"}],
            StartTime=minute(10),
            EndTime=minute(0),
        )
    assert error_of(excinfo)[:2] == ("ValidationError", 400)
