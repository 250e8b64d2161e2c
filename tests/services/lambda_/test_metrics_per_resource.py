"""Lambda's per-version metrics, as AWS publishes them: an invocation of a published version or
an alias is counted under (FunctionName, Resource=`name:qualifier`) too, and an alias's under
(FunctionName, Resource, ExecutedVersion); an unqualified one only under FunctionName. Read
back with GetMetricStatistics and GetMetricData."""

from __future__ import annotations

import datetime as dt
import json

from tests.conftest import client, create_function, make_zip, wait_for
from tests.services.lambda_.asyncing import MARKING

CODE = {"ZipFile": make_zip({"handler.py": MARKING})}


def _sum(cloudwatch, metric: str, **dimensions: str) -> float | None:
    now = dt.datetime.now(dt.UTC)
    points = cloudwatch.get_metric_statistics(
        Namespace="AWS/Lambda", MetricName=metric,
        Dimensions=[{"Name": k, "Value": v} for k, v in dimensions.items()],
        StartTime=now - dt.timedelta(minutes=10), EndTime=now + dt.timedelta(minutes=1),
        Period=3600, Statistics=["Sum"],
    )["Datapoints"]  # fmt: skip
    return points[0]["Sum"] if points else None


def _published(lambda_client) -> str:
    create_function(lambda_client, "res", Code=CODE)
    wait_for(lambda: lambda_client.get_function(FunctionName="res")["Configuration"]["State"]
             == "Active")  # fmt: skip
    version = lambda_client.publish_version(FunctionName="res")["Version"]
    lambda_client.create_alias(FunctionName="res", Name="live", FunctionVersion=version)
    return version


def test_version_and_alias_invocations_are_counted_per_resource(endpoint, lambda_client):
    version = _published(lambda_client)
    lambda_client.invoke(FunctionName="res", Payload=b"{}")
    lambda_client.invoke(FunctionName="res", Qualifier=version, Payload=b"{}")
    for _ in range(2):
        lambda_client.invoke(FunctionName="res:live", Payload=b"{}")
    lambda_client.invoke(FunctionName="res", Qualifier="live",
                         Payload=json.dumps({"fail": True}).encode())  # fmt: skip
    cloudwatch = client("cloudwatch", endpoint)
    assert _sum(cloudwatch, "Invocations", FunctionName="res") == 5
    assert _sum(cloudwatch, "Invocations", FunctionName="res", Resource=f"res:{version}") == 1
    assert _sum(cloudwatch, "Invocations", FunctionName="res", Resource="res:live") == 3
    assert _sum(cloudwatch, "Errors", FunctionName="res", Resource="res:live") == 1
    assert _sum(cloudwatch, "Errors", FunctionName="res", Resource=f"res:{version}") == 0
    executed = {"FunctionName": "res", "Resource": "res:live", "ExecutedVersion": version}
    assert _sum(cloudwatch, "Invocations", **executed) == 3
    # a version's invocation has no ExecutedVersion series; $LATEST has no Resource one
    assert _sum(cloudwatch, "Invocations", FunctionName="res", Resource=f"res:{version}",
                ExecutedVersion=version) is None  # fmt: skip
    assert _sum(cloudwatch, "Invocations", FunctionName="res", Resource="res:$LATEST") is None
    listed = cloudwatch.list_metrics(
        Namespace="AWS/Lambda", MetricName="Duration",
        Dimensions=[{"Name": "FunctionName", "Value": "res"}, {"Name": "Resource"}],
    )["Metrics"]  # fmt: skip
    resources = {d["Value"] for m in listed for d in m["Dimensions"] if d["Name"] == "Resource"}
    assert resources == {f"res:{version}", "res:live"}


def test_get_metric_data_reads_the_per_resource_series(endpoint, lambda_client):
    version = _published(lambda_client)
    for _ in range(3):
        lambda_client.invoke(FunctionName="res", Qualifier=version, Payload=b"{}")
    now = dt.datetime.now(dt.UTC)
    resource = [{"Name": "FunctionName", "Value": "res"},
                {"Name": "Resource", "Value": f"res:{version}"}]  # fmt: skip

    def query(query_id: str, metric: str) -> dict:
        return {
            "Id": query_id,
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/Lambda",
                    "MetricName": metric,
                    "Dimensions": resource,
                },
                "Period": 3600,
                "Stat": "Sum",
            },
        }

    answer = client("cloudwatch", endpoint).get_metric_data(
        MetricDataQueries=[query("inv", "Invocations"), query("dur", "Duration")],
        StartTime=now - dt.timedelta(minutes=10),
        EndTime=now + dt.timedelta(minutes=1),
    )
    values = {r["Id"]: r["Values"] for r in answer["MetricDataResults"]}
    assert values["inv"] == [3.0]
    assert len(values["dur"]) == 1 and values["dur"][0] > 0
