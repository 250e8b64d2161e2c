"""Invocation records are never lost between an event's end and their delivery. The record is
enqueued in the transaction that finishes its event, so a crash leaves either the event (it
runs again) or its record (it is sent again): duplicates may come of a crash, never a gap.

To kill the server exactly in that gap, the destination function is deleted after it is
configured: every event that runs leaves a record that cannot be delivered yet and waits for
its retry (LAMINA_DESTINATION_RETRY_DELAYS). The server is killed (SIGKILL) once events have
run, restarted on the same store, and the destination created again: every record arrives.
(A queue would do as well, but SQS, as AWS, refuses to create a queue again within 60 s of
deleting it; records to functions and to queues are the same kind of work.)"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from tests.conftest import ENGINES, client, create_function, make_zip, own_server, wait_for
from tests.services.lambda_.test_async_durability import RECORDING

# Records, durably (PutLogEvents answers once stored), the event of each record it receives.
RECEIVING = """import time, boto3
logs = boto3.client("logs")
def handler(record, context):
    stamp = int(time.time() * 1000)
    n = str(record["requestPayload"]["n"])
    logs.put_log_events(logGroupName="ran", logStreamName="records",
                        logEvents=[{"timestamp": stamp, "message": n}])
"""
COUNT = 12


def _logged(logs, stream: str) -> Counter[int]:
    seen: Counter[int] = Counter()
    kwargs = {"logGroupName": "ran", "logStreamName": stream, "startFromHead": True}
    while True:
        page = logs.get_log_events(**kwargs)
        seen.update(int(event["message"]) for event in page["events"])
        if not page["events"] or page["nextForwardToken"] == kwargs.get("nextToken"):
            return seen
        kwargs["nextToken"] = page["nextForwardToken"]


@pytest.mark.parametrize("engine", ENGINES)
def test_records_waiting_to_be_delivered_arrive_after_a_sigkill_and_restart(tmp_path, engine):
    # Long enough that the records of the events run before the kill are still waiting when
    # the server is back (and the destination with it): none runs out of tries meanwhile.
    env = {"LAMINA_NODE_ID": "destination-node", "LAMINA_DESTINATION_RETRY_DELAYS": "15,15"}
    receiver = {"ZipFile": make_zip({"handler.py": RECEIVING})}
    with own_server(tmp_path / "data", engine, "lamina_destination_durability", env) as lamina:
        functions, logs = client("lambda", lamina.url), client("logs", lamina.url)
        logs.create_log_group(logGroupName="ran")
        for stream in ("events", "records"):
            logs.create_log_stream(logGroupName="ran", logStreamName=stream)
        target = create_function(functions, "receiver", Code=receiver)["FunctionArn"]
        create_function(functions, "sender", Code={"ZipFile": make_zip({"handler.py": RECORDING})})
        functions.put_function_concurrency(FunctionName="sender", ReservedConcurrentExecutions=2)
        functions.put_function_event_invoke_config(
            FunctionName="sender", DestinationConfig={"OnSuccess": {"Destination": target}}
        )
        functions.delete_function(FunctionName="receiver")  # records cannot be delivered now
        for n in range(COUNT):
            functions.invoke(
                FunctionName="sender", InvocationType="Event", Payload=json.dumps({"n": n})
            )
        wait_for(lambda: len(_logged(logs, "events")) >= 3, timeout=60)
        assert not _logged(logs, "records")
        lamina.kill()  # events have run; their records wait to be delivered
        lamina.start()
        functions, logs = client("lambda", lamina.url), client("logs", lamina.url)
        create_function(functions, "receiver", Code=receiver)
        received = wait_for(
            lambda: (seen := _logged(logs, "records")) and len(seen) == COUNT and seen,
            timeout=150,
            interval=0.5,
        )
        assert set(received) == set(range(COUNT))
