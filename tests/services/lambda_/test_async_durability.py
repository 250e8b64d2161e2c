"""Accepted asynchronous events are never lost: a server killed (SIGKILL) while it works through
them runs every one of them after a restart on the same store. Duplicates may come of the
crash, never of normal operation."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ENGINES, client, create_function, make_zip, own_server, wait_for
from tests.server import LaminaServer

# Each run records its event durably (PutLogEvents answers once stored) before it returns.
RECORDING = """import json, time, boto3
logs = boto3.client("logs")
def handler(event, context):
    time.sleep(0.1)  # at 4 at a time, 200 take 5 s: the kill lands mid-way even under load
    stamp = int(time.time() * 1000)
    logs.put_log_events(logGroupName="ran", logStreamName="events",
                        logEvents=[{"timestamp": stamp, "message": str(event["n"])}])
    return event
"""


def _ran(logs) -> Counter[int]:
    seen: Counter[int] = Counter()
    kwargs = {"logGroupName": "ran", "logStreamName": "events", "startFromHead": True}
    while True:
        page = logs.get_log_events(**kwargs)
        seen.update(int(event["message"]) for event in page["events"])
        if not page["events"] or page["nextForwardToken"] == kwargs.get("nextToken"):
            return seen
        kwargs["nextToken"] = page["nextForwardToken"]


@pytest.fixture
def recorder(tmp_path, engine: str) -> Iterator[tuple[LaminaServer, Any, Any]]:
    """A server of its own with the recording function, reserved at 4: (server, lambda, logs)."""
    env = {"LAMINA_NODE_ID": "durable-node"}
    with own_server(tmp_path / "data", engine, "lamina_async_durability", env) as lamina:
        functions, logs = client("lambda", lamina.url), client("logs", lamina.url)
        logs.create_log_group(logGroupName="ran")
        logs.create_log_stream(logGroupName="ran", logStreamName="events")
        code = {"ZipFile": make_zip({"handler.py": RECORDING})}
        create_function(functions, "recorder", Code=code)
        functions.put_function_concurrency(FunctionName="recorder", ReservedConcurrentExecutions=4)
        yield lamina, functions, logs


def _send(functions, count: int) -> None:
    for n in range(count):
        answer = functions.invoke(
            FunctionName="recorder", InvocationType="Event", Payload=json.dumps({"n": n}).encode()
        )
        assert answer["StatusCode"] == 202


@pytest.mark.parametrize("engine", ENGINES)
def test_every_accepted_event_runs_after_a_sigkill_and_restart(recorder):
    lamina, functions, logs = recorder
    _send(functions, 200)
    before = wait_for(lambda: (seen := _ran(logs)) and len(seen) >= 30 and seen, timeout=60)
    lamina.kill()  # mid-way: events running, events waiting to run
    assert len(before) < 150, "the kill came too late to test anything"
    lamina.start()
    ran = wait_for(lambda: (seen := _ran(logs)) and len(seen) == 200 and seen, timeout=120)
    assert set(ran) == set(range(200))


@pytest.mark.parametrize("engine", ENGINES)
def test_without_a_crash_each_event_runs_exactly_once(recorder):
    _, functions, logs = recorder
    _send(functions, 40)
    ran = wait_for(lambda: (seen := _ran(logs)) and len(seen) == 40 and seen, timeout=60)
    time.sleep(1.5)  # time for any second run to show
    assert _ran(logs) == Counter({n: 1 for n in range(40)})
    assert ran == _ran(logs)
