"""PutLogEvents, GetLogEvents and FilterLogEvents through boto3, with AWS's batch rules."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

from tests.conftest import error_of
from tests.services.logs.conftest import make_stream, now_ms, put

DAY = 86_400_000
TOKEN = re.compile(r"^[fb]/\d{56}/s$")


def messages(answer) -> list[str]:
    return [event["message"] for event in answer["events"]]


def test_put_then_get_log_events(logs):
    make_stream(logs)
    start = now_ms() - 1000
    answer = put(logs, ["first", "second"], start=start)
    assert re.match(r"^\d{56}$", answer["nextSequenceToken"])
    assert "rejectedLogEventsInfo" not in answer
    got = logs.get_log_events(logGroupName="g", logStreamName="s", startFromHead=True)
    assert [(e["timestamp"], e["message"]) for e in got["events"]] == [
        (start, "first"),
        (start + 1, "second"),
    ]
    assert all(e["ingestionTime"] >= start for e in got["events"])
    assert TOKEN.match(got["nextForwardToken"]) and got["nextForwardToken"].startswith("f/")
    assert TOKEN.match(got["nextBackwardToken"]) and got["nextBackwardToken"].startswith("b/")


def test_sequence_tokens_are_accepted_and_ignored(logs):
    make_stream(logs)
    first = put(logs, ["a"])
    batch = [{"timestamp": now_ms(), "message": "b"}]
    second = logs.put_log_events(
        logGroupName="g", logStreamName="s", logEvents=batch, sequenceToken="bogus"
    )
    assert second["nextSequenceToken"] != first["nextSequenceToken"]
    (stream,) = logs.describe_log_streams(logGroupName="g")["logStreams"]
    assert stream["uploadSequenceToken"] == second["nextSequenceToken"]


def test_put_into_a_missing_stream_is_not_found(logs):
    logs.create_log_group(logGroupName="g")
    with pytest.raises(ClientError) as excinfo:
        put(logs, ["x"], stream="missing")
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        400,
        "The specified log stream does not exist.",
    )


def test_events_out_of_order_fail_the_whole_batch(logs):
    make_stream(logs)
    now = now_ms()
    batch = [{"timestamp": now, "message": "later"}, {"timestamp": now - 5, "message": "earlier"}]
    with pytest.raises(ClientError) as excinfo:
        logs.put_log_events(logGroupName="g", logStreamName="s", logEvents=batch)
    assert error_of(excinfo) == (
        "InvalidParameterException",
        400,
        "Log events in a single PutLogEvents request must be in chronological order.",
    )
    assert logs.filter_log_events(logGroupName="g")["events"] == []


def test_a_batch_over_one_megabyte_fails(logs):
    make_stream(logs)
    now = now_ms()
    # 4 events of 262,144 bytes: 1,048,576 of messages, plus 4 * 26 over the limit.
    batch = [{"timestamp": now, "message": "x" * 262_144} for _ in range(4)]
    with pytest.raises(ClientError) as excinfo:
        logs.put_log_events(logGroupName="g", logStreamName="s", logEvents=batch)
    assert error_of(excinfo)[:2] == ("InvalidParameterException", 400)
    fits = [{"timestamp": now, "message": "x" * (262_144 - 26)} for _ in range(4)]
    assert logs.put_log_events(logGroupName="g", logStreamName="s", logEvents=fits)


def test_too_old_and_too_new_events_are_rejected_and_the_rest_kept(logs):
    make_stream(logs)
    now = now_ms()
    batch = [
        {"timestamp": now - 15 * DAY, "message": "ancient"},
        {"timestamp": now - 14 * DAY - 60_000, "message": "old"},
        {"timestamp": now, "message": "fresh"},
        {"timestamp": now + 3 * 3_600_000, "message": "future"},
        {"timestamp": now + 4 * 3_600_000, "message": "far future"},
    ]
    answer = logs.put_log_events(logGroupName="g", logStreamName="s", logEvents=batch)
    assert answer["rejectedLogEventsInfo"] == {
        "tooOldLogEventEndIndex": 1,
        "tooNewLogEventStartIndex": 3,
    }
    assert messages(logs.get_log_events(logGroupName="g", logStreamName="s")) == ["fresh"]


def test_events_older_than_the_retention_are_rejected_as_expired(logs):
    make_stream(logs)
    logs.put_retention_policy(logGroupName="g", retentionInDays=1)
    now = now_ms()
    batch = [
        {"timestamp": now - 2 * DAY, "message": "expired"},
        {"timestamp": now, "message": "kept"},
    ]
    answer = logs.put_log_events(logGroupName="g", logStreamName="s", logEvents=batch)
    assert answer["rejectedLogEventsInfo"] == {"expiredLogEventEndIndex": 0}
    assert messages(logs.filter_log_events(logGroupName="g")) == ["kept"]


def test_a_batch_may_not_span_more_than_a_day(logs):
    make_stream(logs)
    now = now_ms()
    batch = [
        {"timestamp": now - DAY - 60_000, "message": "a"},
        {"timestamp": now, "message": "b"},
    ]
    with pytest.raises(ClientError) as excinfo:
        logs.put_log_events(logGroupName="g", logStreamName="s", logEvents=batch)
    assert error_of(excinfo)[:2] == ("InvalidParameterException", 400)
    assert "24 hours" in error_of(excinfo)[2]


def test_retention_hides_older_events_at_once(logs):
    make_stream(logs)
    now = now_ms()
    put(logs, ["three days old"], start=now - 3 * DAY)
    put(logs, ["recent"], start=now - 1000)
    assert len(logs.filter_log_events(logGroupName="g")["events"]) == 2
    logs.put_retention_policy(logGroupName="g", retentionInDays=1)
    assert messages(logs.filter_log_events(logGroupName="g")) == ["recent"]
    got = logs.get_log_events(logGroupName="g", logStreamName="s", startFromHead=True)
    assert messages(got) == ["recent"]
    logs.delete_retention_policy(logGroupName="g")  # not yet swept: visible again, as on AWS
    assert len(logs.filter_log_events(logGroupName="g")["events"]) == 2


def test_get_log_events_reads_the_newest_by_default(logs):
    make_stream(logs)
    put(logs, [f"m{i}" for i in range(10)])
    got = logs.get_log_events(logGroupName="g", logStreamName="s", limit=3)
    assert messages(got) == ["m7", "m8", "m9"]  # newest page, oldest first within it
    back = logs.get_log_events(
        logGroupName="g", logStreamName="s", limit=3, nextToken=got["nextBackwardToken"]
    )
    assert messages(back) == ["m4", "m5", "m6"]


def test_get_log_events_pages_forward_until_the_token_repeats(logs):
    make_stream(logs)
    put(logs, [f"m{i}" for i in range(7)])
    seen: list[str] = []
    token = None
    while True:
        kwargs = {"nextToken": token} if token else {}
        page = logs.get_log_events(
            logGroupName="g", logStreamName="s", startFromHead=True, limit=3, **kwargs
        )
        seen += messages(page)
        if page["nextForwardToken"] == token:
            break
        token = page["nextForwardToken"]
    assert seen == [f"m{i}" for i in range(7)]
    put(logs, ["late"], start=now_ms())
    newer = logs.get_log_events(logGroupName="g", logStreamName="s", nextToken=token)
    assert messages(newer) == ["late"]  # a follower picks up new events with the last token


def test_get_log_events_time_range(logs):
    make_stream(logs)
    start = now_ms() - 10_000
    put(logs, ["a", "b", "c", "d"], start=start)
    got = logs.get_log_events(
        logGroupName="g", logStreamName="s", startTime=start + 1, endTime=start + 3
    )
    assert messages(got) == ["b", "c"]  # endTime is exclusive


def test_get_log_events_refuses_a_bad_token(logs):
    make_stream(logs)
    with pytest.raises(ClientError) as excinfo:
        logs.get_log_events(logGroupName="g", logStreamName="s", nextToken="nonsense")
    assert error_of(excinfo)[:2] == ("InvalidParameterException", 400)


def test_get_log_events_from_a_missing_stream(logs):
    logs.create_log_group(logGroupName="g")
    with pytest.raises(ClientError) as excinfo:
        logs.get_log_events(logGroupName="g", logStreamName="nope")
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        400,
        "The specified log stream does not exist.",
    )


def test_filter_log_events_interleaves_streams_in_time_order(logs):
    logs.create_log_group(logGroupName="g")
    start = now_ms() - 10_000
    for name in ("a", "b"):
        logs.create_log_stream(logGroupName="g", logStreamName=name)
    put(logs, ["a0", "a2"], stream="a", start=start)
    logs.put_log_events(
        logGroupName="g", logStreamName="a", logEvents=[{"timestamp": start + 5, "message": "a5"}]
    )
    put(logs, ["b1"], stream="b", start=start + 1)
    answer = logs.filter_log_events(logGroupName="g")
    assert [(e["logStreamName"], e["message"]) for e in answer["events"]] == [
        ("a", "a0"),
        ("a", "a2"),
        ("b", "b1"),
        ("a", "a5"),
    ]
    assert all(re.match(r"^\d{56}$", e["eventId"]) for e in answer["events"])
    assert "nextToken" not in answer


def test_filter_log_events_by_streams_and_time(logs):
    logs.create_log_group(logGroupName="g")
    start = now_ms() - 10_000
    for name in ("app-1", "app-2", "db"):
        logs.create_log_stream(logGroupName="g", logStreamName=name)
        put(logs, [f"{name} x", f"{name} y"], stream=name, start=start)
    by_names = logs.filter_log_events(logGroupName="g", logStreamNames=["db"])
    assert messages(by_names) == ["db x", "db y"]
    by_prefix = logs.filter_log_events(logGroupName="g", logStreamNamePrefix="app-")
    assert sorted(messages(by_prefix)) == ["app-1 x", "app-1 y", "app-2 x", "app-2 y"]
    in_time = logs.filter_log_events(logGroupName="g", startTime=start + 1, endTime=start + 1)
    assert sorted(messages(in_time)) == ["app-1 y", "app-2 y", "db y"]  # endTime inclusive
    with pytest.raises(ClientError) as excinfo:
        logs.filter_log_events(logGroupName="g", logStreamNames=["db"], logStreamNamePrefix="a")
    assert error_of(excinfo)[:2] == ("InvalidParameterException", 400)


def test_filter_patterns(logs):
    make_stream(logs)
    put(
        logs,
        [
            "ERROR disk full",
            "error lower case",
            "ERROR Exception thrown",
            "INFO INTERNAL SERVER ERROR seen",
            "WARN slow",
        ],
    )

    def matching(pattern: str) -> list[str]:
        return messages(logs.filter_log_events(logGroupName="g", filterPattern=pattern))

    assert matching("ERROR") == [
        "ERROR disk full",
        "ERROR Exception thrown",
        "INFO INTERNAL SERVER ERROR seen",
    ]
    assert matching("ERROR Exception") == ["ERROR Exception thrown"]
    assert matching('"INTERNAL SERVER ERROR"') == ["INFO INTERNAL SERVER ERROR seen"]
    assert matching("ERROR -Exception -INFO") == ["ERROR disk full"]
    assert matching("?WARN ?lower") == ["error lower case", "WARN slow"]
    assert len(matching("")) == 5


def test_a_json_filter_pattern_is_refused_plainly(logs):
    make_stream(logs)
    with pytest.raises(ClientError) as excinfo:
        logs.filter_log_events(logGroupName="g", filterPattern="{ $.x = 1 }")
    code, status, message = error_of(excinfo)
    assert (code, status) == ("InvalidParameterException", 400)
    assert "Lamina does not support" in message and "{ $.x = 1 }" in message


def test_filter_log_events_pages_with_next_token(logs):
    make_stream(logs)
    put(logs, [f"hit {i}" if i % 2 == 0 else f"miss {i}" for i in range(20)])
    first = logs.filter_log_events(logGroupName="g", filterPattern="hit", limit=4)
    assert messages(first) == ["hit 0", "hit 2", "hit 4", "hit 6"]
    pages = list(
        logs.get_paginator("filter_log_events").paginate(
            logGroupName="g", filterPattern="hit", PaginationConfig={"PageSize": 4}
        )
    )
    assert [m for p in pages for m in messages(p)] == [f"hit {i}" for i in range(0, 20, 2)]
    newest = logs.filter_log_events(logGroupName="g", startFromHead=False, limit=2)
    assert messages(newest) == ["miss 19", "hit 18"]
    older = logs.filter_log_events(logGroupName="g", limit=2, nextToken=newest["nextToken"])
    assert messages(older) == ["miss 17", "hit 16"]


def test_events_are_isolated_by_account(logs, endpoint):
    from tests.conftest import client

    make_stream(logs)
    put(logs, ["secret"])
    other = client("logs", endpoint, access_key="222222222222")
    make_stream(other)
    assert other.filter_log_events(logGroupName="g")["events"] == []
    assert messages(logs.filter_log_events(logGroupName="g")) == ["secret"]
