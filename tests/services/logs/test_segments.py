"""Events kept as one segment a write still read as single events in (timestamp, arrival)
order: writes whose times overlap, many of them, paged both ways, across streams."""

from __future__ import annotations

from tests.services.logs.conftest import make_stream, now_ms, put


def messages(answer) -> list[str]:
    return [event["message"] for event in answer["events"]]


def put_at(logs, stream: str, events: list[tuple[int, str]], group: str = "g") -> None:
    batch = [{"timestamp": ts, "message": m} for ts, m in events]
    logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=batch)


def page_forward(logs, limit: int, **where) -> list[str]:
    seen, token = [], None
    while True:
        more = {"nextToken": token} if token else {}
        page = logs.get_log_events(
            logGroupName="g", logStreamName="s", startFromHead=True, limit=limit, **where, **more
        )
        seen += messages(page)
        if page["nextForwardToken"] == token:
            return seen
        token = page["nextForwardToken"]


def page_backward(logs, limit: int) -> list[str]:
    pages, token = [], None
    while True:
        more = {"nextToken": token} if token else {}
        page = logs.get_log_events(logGroupName="g", logStreamName="s", limit=limit, **more)
        pages.insert(0, messages(page))
        if page["nextBackwardToken"] == token:
            return [m for p in pages for m in p]
        token = page["nextBackwardToken"]


def test_writes_whose_times_overlap_read_in_time_then_arrival_order(logs):
    make_stream(logs)
    t = now_ms() - 60_000
    put_at(logs, "s", [(t + 10, "w1 at 10"), (t + 20, "w1 at 20")])
    put_at(logs, "s", [(t + 5, "w2 at 5"), (t + 10, "w2 at 10"), (t + 15, "w2 at 15")])
    put_at(logs, "s", [(t + 10, "w3 at 10"), (t + 10, "w3 at 10 again")])
    expected = ["w2 at 5", "w1 at 10", "w2 at 10", "w3 at 10", "w3 at 10 again"]
    expected += ["w2 at 15", "w1 at 20"]
    got = logs.get_log_events(logGroupName="g", logStreamName="s", startFromHead=True)
    assert messages(got) == expected
    assert messages(logs.get_log_events(logGroupName="g", logStreamName="s")) == expected
    assert page_forward(logs, 1) == expected
    assert page_backward(logs, 2) == expected
    assert page_forward(logs, 2, startTime=t + 10, endTime=t + 15) == expected[1:5]
    assert messages(logs.filter_log_events(logGroupName="g")) == expected


def test_many_overlapping_writes_page_exactly_both_ways(logs):
    make_stream(logs)
    t = now_ms() - 600_000
    expected: list[tuple[int, int, str]] = []
    # 150 writes (more than one read's chunk of segments), each spanning a different time.
    for w in range(150):
        first, last = t + (w * 37) % 200, t + 200 + (w * 53) % 300
        put_at(logs, "s", [(first, f"w{w} a"), (last, f"w{w} b")])
        expected += [(first, w, f"w{w} a"), (last, w, f"w{w} b")]
    order = [m for _, _, m in sorted(expected)]
    assert page_forward(logs, 7) == order
    assert page_backward(logs, 7) == order
    newest = logs.get_log_events(logGroupName="g", logStreamName="s", limit=5)
    assert messages(newest) == order[-5:]


def test_filter_log_events_merges_many_streams_and_pages_both_ways(logs):
    logs.create_log_group(logGroupName="g")
    t = now_ms() - 600_000
    expected: list[tuple[int, int, str, str]] = []
    arrival = 0
    for w in range(40):
        for stream in ("a", "b", "c"):
            if w == 0:
                logs.create_log_stream(logGroupName="g", logStreamName=stream)
            ts = t + (w * 7 + ord(stream)) % 90
            put_at(logs, stream, [(ts, f"{stream}{w} x"), (ts + 1, f"{stream}{w} y")])
            expected += [(ts, arrival, stream, f"{stream}{w} x")]
            expected += [(ts + 1, arrival + 1, stream, f"{stream}{w} y")]
            arrival += 2
    expected.sort()
    pages = logs.get_paginator("filter_log_events").paginate(
        logGroupName="g", PaginationConfig={"PageSize": 9}
    )
    got = [(e["logStreamName"], e["message"]) for p in pages for e in p["events"]]
    assert got == [(s, m) for _, _, s, m in expected]
    newest, token = [], None
    while True:
        more = {"nextToken": token} if token else {}
        page = logs.filter_log_events(logGroupName="g", startFromHead=False, limit=11, **more)
        newest += messages(page)
        if "nextToken" not in page:
            break
        token = page["nextToken"]
    assert newest == [m for _, _, _, m in reversed(expected)]
    only_b = logs.filter_log_events(logGroupName="g", logStreamNames=["b"], filterPattern="y")
    assert messages(only_b) == [m for _, _, s, m in expected if s == "b" and m.endswith("y")]


def test_stored_bytes_and_stream_times_count_every_event_of_a_write(logs):
    make_stream(logs)
    start = now_ms() - 5_000
    put(logs, ["ö", "two", "three"], start=start)
    (group,) = logs.describe_log_groups(logGroupNamePrefix="g")["logGroups"]
    assert group["storedBytes"] == len("ö".encode()) + len("twothree") + 3 * 26
    (stream,) = logs.describe_log_streams(logGroupName="g")["logStreams"]
    assert (stream["firstEventTimestamp"], stream["lastEventTimestamp"]) == (start, start + 2)
