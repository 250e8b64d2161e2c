"""ListMetrics through boto3: filters, pages, recency, and isolation between accounts."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.exceptions import ClientError

from tests.conftest import client, error_of
from tests.services.cloudwatch.conftest import dims


def listed(cw, **filters) -> list[tuple[str, str, list[dict[str, str]]]]:
    metrics = cw.list_metrics(**filters)["Metrics"]
    found = [(m["Namespace"], m["MetricName"], m["Dimensions"]) for m in metrics]
    return sorted(found, key=lambda m: (m[0], m[1], [sorted(d.items()) for d in m[2]]))


@pytest.fixture
def cloudwatch(endpoint: str):
    """An account of this module's own: these tests list every metric of their account, and
    an invocation of an earlier test still finishing after the reset (a WebSocket's
    $disconnect) records Lambda's metrics in the default account."""
    return client("cloudwatch", endpoint, access_key="444455556666")


@pytest.fixture
def published(cloudwatch):
    cloudwatch.put_metric_data(
        Namespace="App",
        MetricData=[
            {"MetricName": "Calls", "Value": 1, "Dimensions": dims(Api="a", Stage="prod")},
            {"MetricName": "Calls", "Value": 1, "Dimensions": dims(Api="b")},
            {"MetricName": "Errors", "Value": 1},
        ],
    )
    cloudwatch.put_metric_data(Namespace="Other", MetricData=[{"MetricName": "Calls", "Value": 1}])


def test_all_metrics_with_their_dimensions(cloudwatch, published):
    assert listed(cloudwatch) == [
        ("App", "Calls", dims(Api="a", Stage="prod")),
        ("App", "Calls", dims(Api="b")),
        ("App", "Errors", []),
        ("Other", "Calls", []),
    ]


def test_filters_by_namespace_and_name(cloudwatch, published):
    assert [m[1] for m in listed(cloudwatch, Namespace="App")] == ["Calls", "Calls", "Errors"]
    assert [m[0] for m in listed(cloudwatch, MetricName="Calls")] == ["App", "App", "Other"]
    assert listed(cloudwatch, Namespace="Other", MetricName="Errors") == []


def test_filters_by_dimension_name_and_value(cloudwatch, published):
    by_name = listed(cloudwatch, Dimensions=[{"Name": "Api"}])
    assert [m[2] for m in by_name] == [dims(Api="a", Stage="prod"), dims(Api="b")]
    by_value = listed(cloudwatch, Dimensions=[{"Name": "Api", "Value": "b"}])
    assert [m[2] for m in by_value] == [dims(Api="b")]
    both = listed(cloudwatch, Dimensions=[{"Name": "Api"}, {"Name": "Stage", "Value": "prod"}])
    assert [m[2] for m in both] == [dims(Api="a", Stage="prod")]
    assert listed(cloudwatch, Dimensions=[{"Name": "Nope"}]) == []


def test_recently_active_leaves_out_metrics_without_new_data(cloudwatch):
    old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=5)
    cloudwatch.put_metric_data(
        Namespace="App", MetricData=[{"MetricName": "Old", "Value": 1, "Timestamp": old}]
    )
    # Published now, though its datapoint is five hours old: it is recently active.
    assert [m[1] for m in listed(cloudwatch, RecentlyActive="PT3H")] == ["Old"]


def test_pages_of_500(cloudwatch):
    data = [{"MetricName": f"m{i:04}", "Value": 1} for i in range(501)]
    cloudwatch.put_metric_data(Namespace="Many", MetricData=data)
    first = cloudwatch.list_metrics(Namespace="Many")
    assert len(first["Metrics"]) == 500
    second = cloudwatch.list_metrics(Namespace="Many", NextToken=first["NextToken"])
    assert len(second["Metrics"]) == 1
    assert "NextToken" not in second
    names = {m["MetricName"] for m in first["Metrics"] + second["Metrics"]}
    assert names == {d["MetricName"] for d in data}


def test_an_invalid_next_token_is_refused(cloudwatch):
    with pytest.raises(ClientError) as excinfo:
        cloudwatch.list_metrics(NextToken="not a token")
    assert error_of(excinfo)[:2] == ("InvalidParameterValue", 400)


def test_other_accounts_see_none_of_them(endpoint, cloudwatch, published):
    assert listed(client("cloudwatch", endpoint, access_key="111122223333")) == []
    assert listed(client("cloudwatch", endpoint, region="eu-west-1")) == []
