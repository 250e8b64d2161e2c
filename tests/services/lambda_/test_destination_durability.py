"""Invocation records are never lost between an event's end and their delivery: a server killed
(SIGKILL) while events run and their records wait to be sent delivers a record for every event
after a restart on the same store. The record is enqueued in the transaction that finishes its
event, so a crash leaves either the event (it runs again) or its record (it is sent again):
duplicates may come of the crash, never a gap."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ENGINES, client, create_function, make_zip, own_server, wait_for

SLOW = """import time
def handler(event, context):
    time.sleep(0.1)  # at 4 at a time, 120 take 3 s: the kill lands mid-way even under load
    return event
"""
COUNT = 120


def _drain(sqs, url: str, seen: set[int]) -> set[int]:
    while True:
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
        messages = answer.get("Messages", [])
        if not messages:
            return seen
        for message in messages:
            seen.add(json.loads(message["Body"])["requestPayload"]["n"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


@pytest.mark.parametrize("engine", ENGINES)
def test_every_record_arrives_after_a_sigkill_and_restart(tmp_path, engine):
    env = {"LAMINA_NODE_ID": "destination-node"}
    with own_server(tmp_path / "data", engine, "lamina_destination_durability", env) as lamina:
        functions, sqs = client("lambda", lamina.url), client("sqs", lamina.url)
        url = sqs.create_queue(QueueName="records")["QueueUrl"]
        create_function(functions, "sender", Code={"ZipFile": make_zip({"handler.py": SLOW})})
        functions.put_function_concurrency(FunctionName="sender", ReservedConcurrentExecutions=4)
        functions.put_function_event_invoke_config(
            FunctionName="sender",
            DestinationConfig={
                "OnSuccess": {"Destination": "arn:aws:sqs:us-east-1:000000000000:records"}
            },
        )
        for n in range(COUNT):
            functions.invoke(
                FunctionName="sender", InvocationType="Event", Payload=json.dumps({"n": n})
            )
        seen: set[int] = set()
        wait_for(lambda: len(_drain(sqs, url, seen)) >= 15, timeout=60)
        lamina.kill()  # records sent, records waiting to be sent, events waiting to run
        assert len(seen) < COUNT * 3 // 4, "the kill came too late to test anything"
        lamina.start()
        sqs = client("sqs", lamina.url)
        wait_for(lambda: len(_drain(sqs, url, seen)) == COUNT, timeout=120, interval=0.2)
        assert seen == set(range(COUNT))
