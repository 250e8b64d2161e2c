"""Log groups and log streams through boto3, as the CloudWatch Logs API reference describes."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import client, error_of
from tests.services.logs.conftest import make_stream, now_ms, put


def test_create_log_group_then_describe_it(logs):
    before = now_ms()
    logs.create_log_group(logGroupName="/aws/lambda/hello")
    (group,) = logs.describe_log_groups()["logGroups"]
    assert group["logGroupName"] == "/aws/lambda/hello"
    assert group["arn"] == "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/hello:*"
    assert group["logGroupArn"] == "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/hello"
    assert before - 1000 <= group["creationTime"] <= now_ms() + 1000
    assert group["storedBytes"] == 0
    assert group["logGroupClass"] == "STANDARD"
    assert "retentionInDays" not in group


def test_creating_an_existing_group_is_refused(logs):
    logs.create_log_group(logGroupName="twice")
    with pytest.raises(ClientError) as excinfo:
        logs.create_log_group(logGroupName="twice")
    assert error_of(excinfo) == (
        "ResourceAlreadyExistsException",
        400,
        "The specified log group already exists",
    )


def test_deleting_a_group_deletes_its_streams_and_events(logs):
    make_stream(logs, "doomed", "s")
    put(logs, ["a", "b"], group="doomed")
    logs.delete_log_group(logGroupName="doomed")
    assert logs.describe_log_groups()["logGroups"] == []
    logs.create_log_group(logGroupName="doomed")  # the name is free again, and empty
    assert logs.describe_log_streams(logGroupName="doomed")["logStreams"] == []
    assert logs.describe_log_groups()["logGroups"][0]["storedBytes"] == 0


def test_operations_on_a_missing_group_are_not_found(logs):
    calls = [
        lambda: logs.delete_log_group(logGroupName="nope"),
        lambda: logs.create_log_stream(logGroupName="nope", logStreamName="s"),
        lambda: logs.describe_log_streams(logGroupName="nope"),
        lambda: logs.put_retention_policy(logGroupName="nope", retentionInDays=1),
        lambda: logs.delete_retention_policy(logGroupName="nope"),
        lambda: logs.get_log_events(logGroupName="nope", logStreamName="s"),
        lambda: logs.filter_log_events(logGroupName="nope"),
    ]
    for call in calls:
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_of(excinfo) == (
            "ResourceNotFoundException",
            400,
            "The specified log group does not exist.",
        )


def test_describe_log_groups_by_prefix_is_case_sensitive(logs):
    for name in ("/aws/lambda/a", "/aws/lambda/b", "/aws/Lambda/c", "other"):
        logs.create_log_group(logGroupName=name)
    found = logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/")["logGroups"]
    assert [g["logGroupName"] for g in found] == ["/aws/lambda/a", "/aws/lambda/b"]


def test_describe_log_groups_pages_in_name_order(logs):
    names = [f"group-{i:02d}" for i in range(7)]
    for name in reversed(names):
        logs.create_log_group(logGroupName=name)
    first = logs.describe_log_groups(limit=3)
    assert [g["logGroupName"] for g in first["logGroups"]] == names[:3]
    paginator = logs.get_paginator("describe_log_groups")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 3}))
    assert [len(p["logGroups"]) for p in pages] == [3, 3, 1]
    assert [g["logGroupName"] for p in pages for g in p["logGroups"]] == names
    assert "nextToken" not in pages[-1]


def test_groups_are_isolated_by_account_and_region(logs, endpoint):
    logs.create_log_group(logGroupName="mine")
    other_account = client("logs", endpoint, access_key="111111111111")
    other_region = client("logs", endpoint, region="eu-west-1")
    assert other_account.describe_log_groups()["logGroups"] == []
    assert other_region.describe_log_groups()["logGroups"] == []
    other_account.create_log_group(logGroupName="mine")  # no conflict across accounts
    (group,) = other_account.describe_log_groups()["logGroups"]
    assert group["arn"] == "arn:aws:logs:us-east-1:111111111111:log-group:mine:*"
    with pytest.raises(ClientError) as excinfo:
        other_region.describe_log_streams(logGroupName="mine")
    assert error_of(excinfo)[0] == "ResourceNotFoundException"


def test_retention_policy_is_set_and_deleted(logs):
    logs.create_log_group(logGroupName="kept")
    logs.put_retention_policy(logGroupName="kept", retentionInDays=30)
    assert logs.describe_log_groups()["logGroups"][0]["retentionInDays"] == 30
    logs.delete_retention_policy(logGroupName="kept")
    assert "retentionInDays" not in logs.describe_log_groups()["logGroups"][0]


def test_retention_must_be_one_of_aws_values(logs):
    logs.create_log_group(logGroupName="kept")
    with pytest.raises(ClientError) as excinfo:
        logs.put_retention_policy(logGroupName="kept", retentionInDays=2)
    code, status, message = error_of(excinfo)
    assert (code, status) == ("InvalidParameterException", 400)
    assert message.startswith("1 validation error detected: Value '2' at 'retentionInDays'")
    assert "[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731," in message


def test_create_and_describe_log_streams(logs):
    before = now_ms()
    make_stream(logs, "g", "2024/01/01/[$LATEST]abc")
    (stream,) = logs.describe_log_streams(logGroupName="g")["logStreams"]
    assert stream["logStreamName"] == "2024/01/01/[$LATEST]abc"
    assert stream["arn"] == (
        "arn:aws:logs:us-east-1:000000000000:log-group:g:log-stream:2024/01/01/[$LATEST]abc"
    )
    assert before - 1000 <= stream["creationTime"] <= now_ms() + 1000
    assert stream["storedBytes"] == 0  # AWS: always zero for streams
    assert "lastEventTimestamp" not in stream


def test_stream_times_follow_its_events(logs):
    make_stream(logs)
    start = now_ms() - 5000
    put(logs, ["one", "two", "three"], start=start)
    (stream,) = logs.describe_log_streams(logGroupName="g")["logStreams"]
    assert stream["firstEventTimestamp"] == start
    assert stream["lastEventTimestamp"] == start + 2
    assert stream["lastIngestionTime"] >= start
    (group,) = logs.describe_log_groups()["logGroups"]
    assert group["storedBytes"] == len("onetwothree") + 3 * 26


def test_creating_an_existing_stream_is_refused(logs):
    make_stream(logs)
    with pytest.raises(ClientError) as excinfo:
        logs.create_log_stream(logGroupName="g", logStreamName="s")
    assert error_of(excinfo) == (
        "ResourceAlreadyExistsException",
        400,
        "The specified log stream already exists",
    )


def test_delete_log_stream(logs):
    make_stream(logs)
    put(logs, ["x"])
    logs.delete_log_stream(logGroupName="g", logStreamName="s")
    assert logs.describe_log_streams(logGroupName="g")["logStreams"] == []
    assert logs.filter_log_events(logGroupName="g")["events"] == []
    with pytest.raises(ClientError) as excinfo:
        logs.delete_log_stream(logGroupName="g", logStreamName="s")
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        400,
        "The specified log stream does not exist.",
    )


def test_describe_log_streams_by_prefix_descending_and_paged(logs):
    logs.create_log_group(logGroupName="g")
    names = [f"s-{i}" for i in range(5)] + ["t-0"]
    for name in names:
        logs.create_log_stream(logGroupName="g", logStreamName=name)
    found = logs.describe_log_streams(logGroupName="g", logStreamNamePrefix="s-", descending=True)
    assert [s["logStreamName"] for s in found["logStreams"]] == names[4::-1]
    pages = list(
        logs.get_paginator("describe_log_streams").paginate(
            logGroupName="g", PaginationConfig={"PageSize": 2}
        )
    )
    assert [s["logStreamName"] for p in pages for s in p["logStreams"]] == names
    assert len(pages) == 3


def test_describe_log_streams_by_last_event_time(logs):
    logs.create_log_group(logGroupName="g")
    start = now_ms() - 10_000
    for offset, name in ((3, "c"), (1, "a"), (2, "b")):
        logs.create_log_stream(logGroupName="g", logStreamName=name)
        put(logs, ["m"], stream=name, start=start + offset)
    newest = logs.describe_log_streams(logGroupName="g", orderBy="LastEventTime", descending=True)
    assert [s["logStreamName"] for s in newest["logStreams"]] == ["c", "b", "a"]
    first = logs.describe_log_streams(logGroupName="g", orderBy="LastEventTime", limit=2)
    assert [s["logStreamName"] for s in first["logStreams"]] == ["a", "b"]
    rest = logs.describe_log_streams(
        logGroupName="g", orderBy="LastEventTime", limit=2, nextToken=first["nextToken"]
    )
    assert [s["logStreamName"] for s in rest["logStreams"]] == ["c"]
    assert "nextToken" not in rest


def test_last_event_time_order_refuses_a_prefix(logs):
    logs.create_log_group(logGroupName="g")
    with pytest.raises(ClientError) as excinfo:
        logs.describe_log_streams(
            logGroupName="g", orderBy="LastEventTime", logStreamNamePrefix="x"
        )
    assert error_of(excinfo)[:2] == ("InvalidParameterException", 400)


def test_a_group_is_found_by_identifier_name_or_arn(logs):
    make_stream(logs)
    arn = logs.describe_log_groups()["logGroups"][0]["logGroupArn"]
    for identifier in ("g", arn):
        found = logs.describe_log_streams(logGroupIdentifier=identifier)["logStreams"]
        assert [s["logStreamName"] for s in found] == ["s"]
    with pytest.raises(ClientError) as excinfo:
        logs.describe_log_streams(logGroupName="g", logGroupIdentifier="g")
    assert error_of(excinfo) == (
        "ValidationException",
        400,
        "LogGroup name and LogGroup ARN are mutually exclusive parameters.",
    )
