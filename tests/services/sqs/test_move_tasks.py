"""StartMessageMoveTask / ListMessageMoveTasks / CancelMessageMoveTask: redriving a
dead-letter queue's messages to their source or to another queue."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import error_of, wait_for
from tests.services.sqs.conftest import arn_of, receive_all
from tests.services.sqs.test_dead_letter import with_dlq


def visible(sqs, url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def dead_letter(sqs, source: str, count: int) -> None:
    for i in range(count):
        sqs.send_message(QueueUrl=source, MessageBody=f"m{i}")
    # received twice each (maxReceiveCount 2), then moved at the third receive
    for _ in range(3):
        for _ in range(count):
            sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10, VisibilityTimeout=0)
    assert visible(sqs, source) == 0


def test_messages_move_back_to_their_source(sqs):
    source, dlq = with_dlq(sqs)
    dead_letter(sqs, source, 5)
    handle = sqs.start_message_move_task(SourceArn=arn_of(sqs, dlq))["TaskHandle"]
    assert handle

    def finished():
        tasks = sqs.list_message_move_tasks(SourceArn=arn_of(sqs, dlq))["Results"]
        return tasks if tasks[0]["Status"] == "COMPLETED" else None

    task = wait_for(finished, timeout=30)[0]
    assert task["ApproximateNumberOfMessagesMoved"] == 5
    assert task["ApproximateNumberOfMessagesToMove"] == 5
    assert "TaskHandle" not in task
    back = receive_all(sqs, source, MessageSystemAttributeNames=["All"])
    assert sorted(m["Body"] for m in back) == [f"m{i}" for i in range(5)]
    assert all(m["Attributes"]["ApproximateReceiveCount"] == "1" for m in back)


def test_move_to_a_destination_at_a_rate(sqs):
    source, dlq = with_dlq(sqs)
    elsewhere = sqs.create_queue(QueueName="elsewhere")["QueueUrl"]
    dead_letter(sqs, source, 3)
    sqs.start_message_move_task(
        SourceArn=arn_of(sqs, dlq),
        DestinationArn=arn_of(sqs, elsewhere),
        MaxNumberOfMessagesPerSecond=1,
    )
    wait_for(lambda: visible(sqs, elsewhere) == 3, timeout=30)
    task = sqs.list_message_move_tasks(SourceArn=arn_of(sqs, dlq))["Results"][0]
    assert task["DestinationArn"] == arn_of(sqs, elsewhere)
    assert task["MaxNumberOfMessagesPerSecond"] == 1


def test_cancel_a_running_task(sqs):
    source, dlq = with_dlq(sqs)
    dead_letter(sqs, source, 20)
    handle = sqs.start_message_move_task(
        SourceArn=arn_of(sqs, dlq), MaxNumberOfMessagesPerSecond=1
    )["TaskHandle"]
    with pytest.raises(ClientError) as excinfo:
        sqs.start_message_move_task(SourceArn=arn_of(sqs, dlq))
    assert error_of(excinfo)[0] == "AWS.SimpleQueueService.UnsupportedOperation"
    cancelled = sqs.cancel_message_move_task(TaskHandle=handle)
    assert cancelled["ApproximateNumberOfMessagesMoved"] < 20
    task = sqs.list_message_move_tasks(SourceArn=arn_of(sqs, dlq))["Results"][0]
    assert task["Status"] == "CANCELLED"
    with pytest.raises(ClientError) as excinfo:
        sqs.cancel_message_move_task(TaskHandle=handle)
    assert error_of(excinfo)[0] == "AWS.SimpleQueueService.UnsupportedOperation"


def test_move_task_errors(sqs, queue):
    with pytest.raises(ClientError) as excinfo:
        sqs.start_message_move_task(SourceArn="arn:aws:sqs:us-east-1:000000000000:none")
    assert error_of(excinfo)[:2] == ("ResourceNotFoundException", 404)
    with pytest.raises(ClientError) as excinfo:
        sqs.start_message_move_task(SourceArn=arn_of(sqs, queue))
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        400,
        "Source queue must be configured as a Dead Letter Queue.",
    )
    with pytest.raises(ClientError) as excinfo:
        sqs.cancel_message_move_task(TaskHandle="nope")
    assert error_of(excinfo)[:2] == ("ResourceNotFoundException", 404)
