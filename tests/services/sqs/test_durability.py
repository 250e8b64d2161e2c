"""Accepted messages survive a killed server (SIGKILL), on both engines; a message in flight
comes back after its visibility timeout, across the restart."""

from __future__ import annotations

import signal
import time

import pytest

from tests.conftest import ENGINES, client, own_server, wait_for


@pytest.mark.parametrize("engine", ENGINES)
def test_messages_survive_sigkill_and_in_flight_ones_come_back(tmp_path, engine):
    with own_server(tmp_path / "data", engine, "sqs_durability") as lamina:
        sqs = client("sqs", lamina.url)
        url = sqs.create_queue(QueueName="durable")["QueueUrl"]
        sqs.send_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(10)]
        )
        for i in range(10, 20):
            sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")
        in_flight = sqs.receive_message(QueueUrl=url, VisibilityTimeout=4)["Messages"][0]
        hidden_at = time.monotonic()
        lamina.stop(signal.SIGKILL)  # right after the answers: nothing may be lost
        lamina.start()
        sqs = client("sqs", lamina.url)
        bodies = []
        while True:
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60)
            if not got.get("Messages"):
                break
            bodies += [m["Body"] for m in got["Messages"]]
        assert in_flight["Body"] not in bodies or time.monotonic() - hidden_at >= 4
        assert len(bodies) >= 19

        def back():
            got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, VisibilityTimeout=60)
            return got.get("Messages")

        if in_flight["Body"] not in bodies:
            returned = wait_for(back, timeout=30)
            assert returned[0]["MessageId"] == in_flight["MessageId"]
            bodies.append(returned[0]["Body"])
        assert sorted(bodies) == sorted(f"m{i}" for i in range(20))
