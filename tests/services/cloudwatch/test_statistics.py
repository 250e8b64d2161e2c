"""PutMetricData, read back with GetMetricStatistics, as the CloudWatch API reference describes."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.exceptions import ClientError

from tests.conftest import error_of
from tests.services.cloudwatch.conftest import dims, minute, statistics

MINUTE = dt.timedelta(minutes=1)


def test_values_round_trip_with_every_statistic(cloudwatch):
    at = minute(5)
    cloudwatch.put_metric_data(
        Namespace="App",
        MetricData=[
            {"MetricName": "Latency", "Value": 10, "Unit": "Milliseconds", "Timestamp": at},
            {
                "MetricName": "Latency",
                "Values": [1, 2],
                "Counts": [2, 1],
                "Unit": "Milliseconds",
                "Timestamp": at + dt.timedelta(seconds=30),
            },
            {
                "MetricName": "Latency",
                "StatisticValues": {"SampleCount": 4, "Sum": 100, "Minimum": 5, "Maximum": 40},
                "Unit": "Milliseconds",
                "Timestamp": at + dt.timedelta(seconds=59),
            },
        ],
    )
    (point,) = statistics(cloudwatch, "Latency", at - MINUTE, at + MINUTE)
    assert point["Timestamp"] == at
    assert point["Unit"] == "Milliseconds"
    assert point["SampleCount"] == 8  # 1 + (2 + 1) + 4
    assert point["Sum"] == 10 + 1 * 2 + 2 + 100
    assert point["Minimum"] == 1
    assert point["Maximum"] == 40
    assert point["Average"] == pytest.approx(114 / 8)


def test_only_the_statistics_asked_for_are_answered(cloudwatch):
    at = minute(3)
    cloudwatch.put_metric_data(
        Namespace="App", MetricData=[{"MetricName": "Hits", "Value": 3, "Timestamp": at}]
    )
    (point,) = statistics(cloudwatch, "Hits", at, at + MINUTE, Statistics=["Sum"])
    assert point == {"Timestamp": at, "Sum": 3.0, "Unit": "None"}


def test_datapoints_are_aggregated_into_the_period(cloudwatch):
    start = minute(30)
    start = start.replace(minute=start.minute - start.minute % 10)  # periods align with it
    data = [
        {"MetricName": "Jobs", "Value": float(i), "Timestamp": start + i * MINUTE}
        for i in range(10)
    ]
    cloudwatch.put_metric_data(Namespace="App", MetricData=data)
    points = statistics(cloudwatch, "Jobs", start, start + 10 * MINUTE, period=300)
    assert [p["Timestamp"] for p in points] == [start, start + 5 * MINUTE]
    assert [p["Sum"] for p in points] == [0 + 1 + 2 + 3 + 4, 5 + 6 + 7 + 8 + 9]
    assert [p["SampleCount"] for p in points] == [5, 5]
    assert [(p["Minimum"], p["Maximum"]) for p in points] == [(0, 4), (5, 9)]
    # One minute periods: one datapoint a minute; EndTime is exclusive.
    points = statistics(cloudwatch, "Jobs", start + 2 * MINUTE, start + 5 * MINUTE)
    assert [p["Sum"] for p in points] == [2, 3, 4]


def test_dimensions_must_match_the_full_set(cloudwatch):
    at = minute(4)
    both = dims(Api="orders", Stage="prod")
    cloudwatch.put_metric_data(
        Namespace="App",
        MetricData=[
            {"MetricName": "Calls", "Value": 1, "Dimensions": both, "Timestamp": at},
            {"MetricName": "Calls", "Value": 7, "Dimensions": dims(Api="orders"), "Timestamp": at},
            {"MetricName": "Calls", "Value": 100, "Timestamp": at},
        ],
    )
    window = (at, at + MINUTE)
    reordered = list(reversed(both))  # the order of dimensions does not matter
    assert [p["Sum"] for p in statistics(cloudwatch, "Calls", *window, Dimensions=reordered)] == [1]
    only_api = dims(Api="orders")
    assert [p["Sum"] for p in statistics(cloudwatch, "Calls", *window, Dimensions=only_api)] == [7]
    assert [p["Sum"] for p in statistics(cloudwatch, "Calls", *window)] == [100]
    other = dims(Api="orders", Stage="dev")
    assert statistics(cloudwatch, "Calls", *window, Dimensions=other) == []
    assert statistics(cloudwatch, "Calls", *window, Namespace="Other") == []


def test_units_are_kept_apart_and_filtered(cloudwatch):
    at = minute(6)
    cloudwatch.put_metric_data(
        Namespace="App",
        MetricData=[
            {"MetricName": "Size", "Value": 2, "Unit": "Bytes", "Timestamp": at},
            {"MetricName": "Size", "Value": 3, "Unit": "Kilobytes", "Timestamp": at},
        ],
    )
    points = statistics(cloudwatch, "Size", at, at + MINUTE)
    assert sorted((p["Unit"], p["Sum"]) for p in points) == [("Bytes", 2), ("Kilobytes", 3)]
    points = statistics(cloudwatch, "Size", at, at + MINUTE, Unit="Kilobytes")
    assert [(p["Unit"], p["Sum"]) for p in points] == [("Kilobytes", 3)]
    assert statistics(cloudwatch, "Size", at, at + MINUTE, Unit="Seconds") == []


def test_high_resolution_data_keeps_its_seconds(cloudwatch):
    at = minute(2)
    data = [
        {"MetricName": "Fast", "Value": v, "Timestamp": at + dt.timedelta(seconds=s)}
        for s, v in ((0, 1.0), (4, 2.0), (12, 4.0))
    ]
    for datum in data:
        datum["StorageResolution"] = 1
    cloudwatch.put_metric_data(Namespace="App", MetricData=data)
    points = statistics(cloudwatch, "Fast", at, at + MINUTE, period=5)
    assert [(p["Timestamp"], p["Sum"]) for p in points] == [
        (at, 3.0),
        (at + dt.timedelta(seconds=10), 4.0),
    ]
    assert [p["Sum"] for p in statistics(cloudwatch, "Fast", at, at + MINUTE)] == [7.0]


def test_metrics_are_kept_per_account_and_region(endpoint):
    from tests.conftest import client

    at = minute(3)
    mine = client("cloudwatch", endpoint)
    other_account = client("cloudwatch", endpoint, access_key="111122223333")
    other_region = client("cloudwatch", endpoint, region="eu-west-1")
    mine.put_metric_data(
        Namespace="App", MetricData=[{"MetricName": "M", "Value": 1, "Timestamp": at}]
    )
    assert [p["Sum"] for p in statistics(mine, "M", at, at + MINUTE)] == [1]
    assert statistics(other_account, "M", at, at + MINUTE) == []
    assert statistics(other_region, "M", at, at + MINUTE) == []


# -- PutMetricData's errors ---------------------------------------------------------------------


def put_error(cw, namespace: str = "App", **datum):
    datum.setdefault("MetricName", "M")
    with pytest.raises(ClientError) as excinfo:
        cw.put_metric_data(Namespace=namespace, MetricData=[datum])
    return error_of(excinfo)


def test_aws_namespaces_are_refused(cloudwatch):
    assert put_error(cloudwatch, "AWS/Lambda", Value=1) == (
        "InvalidParameterValue",
        400,
        "The value AWS/ for parameter Namespace is invalid.",
    )


def test_at_most_1000_metrics_per_request(cloudwatch):
    cloudwatch.put_metric_data(
        Namespace="App", MetricData=[{"MetricName": f"m{i}", "Value": 1} for i in range(1000)]
    )
    with pytest.raises(ClientError) as excinfo:
        cloudwatch.put_metric_data(
            Namespace="App", MetricData=[{"MetricName": "m", "Value": 1}] * 1001
        )
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        400,
        "The collection MetricData must not have a size greater than 1000.",
    )


def test_at_most_30_dimensions(cloudwatch):
    thirty = [{"Name": f"d{i}", "Value": "v"} for i in range(30)]
    cloudwatch.put_metric_data(
        Namespace="App", MetricData=[{"MetricName": "M", "Value": 1, "Dimensions": thirty}]
    )
    too_many = [*thirty, {"Name": "d30", "Value": "v"}]
    code, status, message = put_error(cloudwatch, Value=1, Dimensions=too_many)
    assert (code, status, message) == (
        "InvalidParameterValue",
        400,
        "The collection MetricData.member.1.Dimensions must not have a size greater than 30.",
    )


def test_value_and_statistic_values_are_exclusive(cloudwatch):
    stats = {"SampleCount": 1, "Sum": 1, "Minimum": 1, "Maximum": 1}
    assert put_error(cloudwatch, Value=1, StatisticValues=stats) == (
        "InvalidParameterCombination",
        400,
        "The parameters MetricData.member.1.Value and MetricData.member.1.StatisticValues are "
        "mutually exclusive and you have specified both.",
    )


def test_a_datum_needs_a_value(cloudwatch):
    code, status, _ = put_error(cloudwatch)
    assert (code, status) == ("MissingParameter", 400)


def test_values_and_counts_must_be_of_the_same_size(cloudwatch):
    code, status, message = put_error(cloudwatch, Values=[1, 2], Counts=[1])
    assert (code, status) == ("InvalidParameterValue", 400)
    assert "must be of the same size" in message


def test_statistic_values_must_be_consistent(cloudwatch):
    stats = {"SampleCount": 2, "Sum": 3, "Minimum": 5, "Maximum": 1}
    code, status, message = put_error(cloudwatch, StatisticValues=stats)
    assert (code, status) == ("InvalidParameterValue", 400)
    assert "Maximum" in message


def test_timestamps_older_than_two_weeks_or_two_hours_ahead_are_refused(cloudwatch):
    now = dt.datetime.now(dt.UTC)
    code, status, message = put_error(cloudwatch, Value=1, Timestamp=now - dt.timedelta(days=15))
    assert (code, status) == ("InvalidParameterValue", 400)
    assert message.endswith("Timestamp must specify a time within the past two weeks.")
    code, status, message = put_error(cloudwatch, Value=1, Timestamp=now + dt.timedelta(hours=3))
    assert (code, status) == ("InvalidParameterValue", 400)
    assert "no more than two hours in the future" in message


def test_storage_resolution_is_1_or_60(cloudwatch):
    assert put_error(cloudwatch, Value=1, StorageResolution=30) == (
        "InvalidParameterValue",
        400,
        "The value 30 for parameter MetricData.member.1.StorageResolution is invalid.",
    )


def test_a_refused_request_stores_nothing(cloudwatch):
    at = minute(2)
    with pytest.raises(ClientError):
        cloudwatch.put_metric_data(
            Namespace="App",
            MetricData=[
                {"MetricName": "Atomic", "Value": 1, "Timestamp": at},
                {"MetricName": "Atomic", "Value": 1, "StorageResolution": 7},
            ],
        )
    assert statistics(cloudwatch, "Atomic", at, at + MINUTE) == []


# -- GetMetricStatistics' errors ----------------------------------------------------------------


def statistics_error(cw, **overrides):
    params = {
        "Namespace": "App",
        "MetricName": "M",
        "StartTime": minute(60),
        "EndTime": minute(0),
        "Period": 60,
        "Statistics": ["Sum"],
    }
    params.update(overrides)
    params = {k: v for k, v in params.items() if v is not None}
    with pytest.raises(ClientError) as excinfo:
        cw.get_metric_statistics(**params)
    return error_of(excinfo)


def test_period_must_be_a_multiple_of_60(cloudwatch):
    code, status, _ = statistics_error(cloudwatch, Period=90)
    assert (code, status) == ("InvalidParameterValue", 400)


def test_start_time_must_come_before_end_time(cloudwatch):
    at = minute(10)
    assert statistics_error(cloudwatch, StartTime=at, EndTime=at) == (
        "InvalidParameterValue",
        400,
        "The parameter StartTime must not equal parameter EndTime.",
    )
    code, status, _ = statistics_error(cloudwatch, StartTime=at, EndTime=at - MINUTE)
    assert (code, status) == ("InvalidParameterValue", 400)


def test_at_most_1440_datapoints(cloudwatch):
    end = minute(0)
    assert statistics_error(cloudwatch, StartTime=end - 1441 * MINUTE, EndTime=end) == (
        "InvalidParameterCombination",
        400,
        "You have requested up to 1441 datapoints, which exceeds the limit of 1440. You may "
        "reduce the datapoints requested by increasing Period, or decreasing the time range.",
    )
    cloudwatch.get_metric_statistics(
        Namespace="App",
        MetricName="M",
        StartTime=end - 1440 * MINUTE,
        EndTime=end,
        Period=60,
        Statistics=["Sum"],
    )


def test_percentiles_are_not_supported(cloudwatch):
    code, status, message = statistics_error(
        cloudwatch, Statistics=None, ExtendedStatistics=["p99"]
    )
    assert (code, status) == ("InvalidParameterValue", 400)
    assert message.startswith("Lamina does not support ExtendedStatistics (percentiles)")


def test_statistics_or_extended_statistics_are_required(unvalidated_cloudwatch):
    code, status, _ = statistics_error(unvalidated_cloudwatch, Statistics=None)
    assert (code, status) == ("InvalidParameterCombination", 400)
