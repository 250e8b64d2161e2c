"""GetMetricData through boto3: queries, labels, order, paging and what Lamina refuses."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.exceptions import ClientError

from tests.conftest import error_of
from tests.services.cloudwatch.conftest import dims, minute

MINUTE = dt.timedelta(minutes=1)


def query(query_id: str, name: str, stat: str = "Sum", period: int = 60, **extra):
    metric = {"Namespace": "App", "MetricName": name, "Dimensions": extra.pop("Dimensions", [])}
    stat_of = {"Metric": metric, "Period": period, "Stat": stat}
    if "Unit" in extra:
        stat_of["Unit"] = extra.pop("Unit")
    return {"Id": query_id, "MetricStat": stat_of, **extra}


@pytest.fixture
def start(cloudwatch):
    """Five minutes of 'Requests' (1, 2, 3, 4, 5 per minute), and of 'Errors' (0.5 a minute)."""
    first = minute(10)
    data = []
    for i in range(5):
        at = first + i * MINUTE
        data.append({"MetricName": "Requests", "Value": i + 1.0, "Timestamp": at})
        data.append({"MetricName": "Requests", "Value": 0.0, "Timestamp": at})
        data.append({"MetricName": "Errors", "Value": 0.5, "Timestamp": at, "Unit": "Count"})
    cloudwatch.put_metric_data(Namespace="App", MetricData=data)
    return first


def test_results_per_query_newest_first(cloudwatch, start):
    answer = cloudwatch.get_metric_data(
        MetricDataQueries=[query("requests", "Requests"), query("errors", "Errors", "Maximum")],
        StartTime=start,
        EndTime=start + 5 * MINUTE,
    )
    requests, errors = answer["MetricDataResults"]
    assert requests["Id"] == "requests"
    assert requests["Label"] == "Requests"  # the metric's name when no Label is given
    assert requests["StatusCode"] == "Complete"
    assert requests["Timestamps"] == [start + i * MINUTE for i in (4, 3, 2, 1, 0)]
    assert requests["Values"] == [5.0, 4.0, 3.0, 2.0, 1.0]
    assert errors["Values"] == [0.5] * 5
    assert "NextToken" not in answer


def test_statistics_labels_periods_and_ascending_order(cloudwatch, start):
    answer = cloudwatch.get_metric_data(
        MetricDataQueries=[
            query("avg", "Requests", "Average", period=300, Label="mean requests"),
            query("n", "Requests", "SampleCount", period=120),
        ],
        StartTime=start,
        EndTime=start + 5 * MINUTE,
        ScanBy="TimestampAscending",
    )
    average, count = answer["MetricDataResults"]
    assert average["Label"] == "mean requests"
    assert average["Timestamps"] == [start]
    assert average["Values"] == [pytest.approx(15 / 10)]
    assert count["Timestamps"] == [start, start + 2 * MINUTE, start + 4 * MINUTE]
    assert count["Values"] == [4.0, 4.0, 2.0]


def test_return_data_false_leaves_a_query_out(cloudwatch, start):
    answer = cloudwatch.get_metric_data(
        MetricDataQueries=[query("a", "Requests"), query("b", "Errors", ReturnData=False)],
        StartTime=start,
        EndTime=start + 5 * MINUTE,
    )
    assert [r["Id"] for r in answer["MetricDataResults"]] == ["a"]


def test_unit_and_dimensions_select_the_data(cloudwatch, start):
    cloudwatch.put_metric_data(
        Namespace="App",
        MetricData=[
            {
                "MetricName": "Requests",
                "Value": 99,
                "Dimensions": dims(Host="a"),
                "Timestamp": start,
            }
        ],
    )
    answer = cloudwatch.get_metric_data(
        MetricDataQueries=[
            query("host", "Requests", Dimensions=dims(Host="a")),
            query("counted", "Errors", Unit="Count"),
            query("seconds", "Errors", Unit="Seconds"),
        ],
        StartTime=start,
        EndTime=start + MINUTE,
    )
    host, counted, seconds = answer["MetricDataResults"]
    assert host["Values"] == [99.0]
    assert counted["Values"] == [0.5]
    assert seconds["Values"] == []
    assert seconds["StatusCode"] == "Complete"


def test_max_datapoints_pages_with_next_token(cloudwatch, start):
    params = {
        "MetricDataQueries": [query("r", "Requests"), query("e", "Errors")],
        "StartTime": start,
        "EndTime": start + 5 * MINUTE,
        "MaxDatapoints": 3,
        "ScanBy": "TimestampAscending",
    }
    pages = []
    token = None
    while True:
        answer = cloudwatch.get_metric_data(**params, **({"NextToken": token} if token else {}))
        pages.append(answer["MetricDataResults"])
        token = answer.get("NextToken")
        if token is None:
            break
    assert len(pages) == 4  # ten datapoints, three a page
    assert sum(len(r["Values"]) for page in pages for r in page) == 10
    first = pages[0]
    assert first[0]["Values"] == [1.0, 2.0, 3.0]
    assert first[0]["StatusCode"] == "PartialData"
    assert first[1]["Values"] == [] and first[1]["StatusCode"] == "PartialData"
    requests = [v for page in pages for v in page[0]["Values"]]
    assert requests == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert pages[-1][1]["StatusCode"] == "Complete"


def data_error(cw, queries, **overrides):
    params = {"MetricDataQueries": queries, "StartTime": minute(10), "EndTime": minute(0)}
    params.update(overrides)
    with pytest.raises(ClientError) as excinfo:
        cw.get_metric_data(**params)
    return error_of(excinfo)


def test_a_next_token_of_another_request_is_refused(cloudwatch, start):
    code, status, _ = data_error(cloudwatch, [query("r", "Requests")], NextToken="bm9wZQ==")
    assert (code, status) == ("InvalidNextToken", 400)


def test_metric_math_is_not_supported(cloudwatch):
    code, status, message = data_error(cloudwatch, [{"Id": "e", "Expression": "SUM(METRICS())"}])
    assert (code, status) == ("ValidationError", 400)
    assert message.startswith("Lamina does not support metric math")


def test_percentiles_are_not_supported(cloudwatch):
    code, status, message = data_error(cloudwatch, [query("p", "Requests", "p99")])
    assert (code, status) == ("ValidationError", 400)
    assert message.startswith("Lamina does not support the statistic p99")


def test_invalid_queries_are_refused(cloudwatch):
    assert data_error(cloudwatch, [query("Upper", "Requests")])[:2] == ("ValidationError", 400)
    assert data_error(cloudwatch, [query("a", "R"), query("a", "R")])[:2] == (
        "ValidationError",
        400,
    )
    assert data_error(cloudwatch, [query("a", "R", period=45)])[:2] == ("ValidationError", 400)
    assert data_error(cloudwatch, [query("a", "R", "Median")])[:2] == ("ValidationError", 400)


def test_start_time_must_come_before_end_time(cloudwatch):
    at = minute(5)
    assert data_error(cloudwatch, [query("a", "R")], StartTime=at, EndTime=at) == (
        "ValidationError",
        400,
        "The parameter StartTime must not equal parameter EndTime.",
    )
    assert data_error(cloudwatch, [query("a", "R")], StartTime=at, EndTime=at - MINUTE) == (
        "ValidationError",
        400,
        "The parameter EndTime must be greater than StartTime.",
    )
