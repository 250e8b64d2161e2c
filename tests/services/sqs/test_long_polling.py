"""ReceiveMessage with WaitTimeSeconds answers soon after a message arrives, not at the end
of the wait (no timing is asserted beyond "well before the wait ends")."""

from __future__ import annotations

import threading
import time

from tests.conftest import client


def test_a_waiting_receive_answers_when_a_message_is_sent(sqs, queue, endpoint):
    sender = client("sqs", endpoint)
    timer = threading.Timer(1.0, lambda: sender.send_message(QueueUrl=queue, MessageBody="now"))
    started = time.monotonic()
    timer.start()
    try:
        got = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=10)
    finally:
        timer.join()
    assert [m["Body"] for m in got["Messages"]] == ["now"]
    assert time.monotonic() - started < 5


def test_the_queues_default_wait_applies(sqs, endpoint):
    url = sqs.create_queue(QueueName="patient", Attributes={"ReceiveMessageWaitTimeSeconds": "10"})[
        "QueueUrl"
    ]
    sender = client("sqs", endpoint)
    timer = threading.Timer(1.0, lambda: sender.send_message(QueueUrl=url, MessageBody="m"))
    timer.start()
    try:
        got = sqs.receive_message(QueueUrl=url)
    finally:
        timer.join()
    assert got["Messages"][0]["Body"] == "m"


def test_an_empty_wait_ends_with_no_messages(sqs, queue):
    started = time.monotonic()
    got = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1)
    assert "Messages" not in got
    assert time.monotonic() - started >= 0.9
