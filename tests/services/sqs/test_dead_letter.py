"""Dead-letter queues: RedrivePolicy, RedriveAllowPolicy, the move at the receive after
maxReceiveCount, ListDeadLetterSourceQueues."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.conftest import error_of
from tests.services.sqs.conftest import arn_of


def with_dlq(sqs, max_receives: int = 2, name: str = "work", fifo: bool = False):
    suffix = ".fifo" if fifo else ""
    extra = {"FifoQueue": "true", "ContentBasedDeduplication": "true"} if fifo else {}
    dlq = sqs.create_queue(QueueName=f"dlq{suffix}", Attributes=extra)["QueueUrl"]
    policy = {"deadLetterTargetArn": arn_of(sqs, dlq), "maxReceiveCount": max_receives}
    source = sqs.create_queue(
        QueueName=f"{name}{suffix}", Attributes={**extra, "RedrivePolicy": json.dumps(policy)}
    )["QueueUrl"]
    return source, dlq


def test_a_message_received_too_often_moves_at_its_next_receive(sqs):
    source, dlq = with_dlq(sqs)
    sent = sqs.send_message(
        QueueUrl=source,
        MessageBody="poison",
        MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}},
    )
    for _ in range(2):
        assert sqs.receive_message(QueueUrl=source, VisibilityTimeout=0)["Messages"]
    assert "Messages" not in sqs.receive_message(QueueUrl=source, VisibilityTimeout=0)
    got = sqs.receive_message(
        QueueUrl=dlq, MessageAttributeNames=["All"], MessageSystemAttributeNames=["All"]
    )["Messages"][0]
    assert got["MessageId"] == sent["MessageId"]
    assert got["Body"] == "poison"
    assert got["MessageAttributes"] == {"k": {"DataType": "String", "StringValue": "v"}}
    assert got["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert got["Attributes"]["DeadLetterQueueSourceArn"] == arn_of(sqs, source)


def test_fifo_source_needs_a_fifo_dead_letter_queue(sqs, queue):
    policy = {"deadLetterTargetArn": arn_of(sqs, queue), "maxReceiveCount": 1}
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(
            QueueName="src.fifo",
            Attributes={"FifoQueue": "true", "RedrivePolicy": json.dumps(policy)},
        )
    assert error_of(excinfo)[0] == "InvalidParameterValue"


def test_fifo_dead_lettering_keeps_the_group(sqs):
    source, dlq = with_dlq(sqs, max_receives=1, fifo=True)
    sqs.send_message(QueueUrl=source, MessageBody="x", MessageGroupId="g1")
    assert sqs.receive_message(QueueUrl=source, VisibilityTimeout=0)["Messages"]
    assert "Messages" not in sqs.receive_message(QueueUrl=source)
    got = sqs.receive_message(QueueUrl=dlq, MessageSystemAttributeNames=["MessageGroupId"])
    assert got["Messages"][0]["Attributes"]["MessageGroupId"] == "g1"


@pytest.mark.parametrize(
    "policy",
    [
        {"maxReceiveCount": 3},
        {"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:none", "maxReceiveCount": 3},
        {"deadLetterTargetArn": "DLQ", "maxReceiveCount": 0},
    ],
)
def test_invalid_redrive_policies(sqs, queue, policy):
    if policy.get("deadLetterTargetArn") == "DLQ":
        policy["deadLetterTargetArn"] = arn_of(sqs, queue)
    other = sqs.create_queue(QueueName="src")["QueueUrl"]
    with pytest.raises(ClientError) as excinfo:
        sqs.set_queue_attributes(QueueUrl=other, Attributes={"RedrivePolicy": json.dumps(policy)})
    assert error_of(excinfo)[:2] == ("InvalidParameterValue", 400)


def test_redrive_allow_policy_deny_all_and_by_queue(sqs):
    dlq = sqs.create_queue(
        QueueName="closed", Attributes={"RedriveAllowPolicy": '{"redrivePermission":"denyAll"}'}
    )["QueueUrl"]
    policy = json.dumps({"deadLetterTargetArn": arn_of(sqs, dlq), "maxReceiveCount": 1})
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName="a", Attributes={"RedrivePolicy": policy})
    assert error_of(excinfo)[0] == "InvalidParameterValue"
    allowed = "arn:aws:sqs:us-east-1:000000000000:b"
    sqs.set_queue_attributes(
        QueueUrl=dlq,
        Attributes={
            "RedriveAllowPolicy": json.dumps(
                {"redrivePermission": "byQueue", "sourceQueueArns": [allowed]}
            )
        },
    )
    sqs.create_queue(QueueName="b", Attributes={"RedrivePolicy": policy})
    too_many = {"redrivePermission": "byQueue", "sourceQueueArns": [allowed] * 11}
    with pytest.raises(ClientError) as excinfo:
        sqs.set_queue_attributes(
            QueueUrl=dlq, Attributes={"RedriveAllowPolicy": json.dumps(too_many)}
        )
    assert error_of(excinfo)[0] == "InvalidParameterValue"


def test_list_dead_letter_source_queues(sqs):
    source, dlq = with_dlq(sqs)
    policy = sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["RedrivePolicy"])
    second = sqs.create_queue(
        QueueName="second", Attributes={"RedrivePolicy": policy["Attributes"]["RedrivePolicy"]}
    )["QueueUrl"]
    assert sorted(sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"]) == sorted(
        [source, second]
    )
    page = sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=1)
    assert len(page["queueUrls"]) == 1 and page["NextToken"]
    rest = sqs.list_dead_letter_source_queues(
        QueueUrl=dlq, MaxResults=1, NextToken=page["NextToken"]
    )
    assert len(rest["queueUrls"]) == 1 and "NextToken" not in rest
    assert sqs.list_dead_letter_source_queues(QueueUrl=source)["queueUrls"] == []


def test_redrive_policy_reads_back_normalized(sqs):
    source, dlq = with_dlq(sqs, max_receives=5)
    policy = sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["RedrivePolicy"])
    assert json.loads(policy["Attributes"]["RedrivePolicy"]) == {
        "deadLetterTargetArn": arn_of(sqs, dlq),
        "maxReceiveCount": 5,
    }


def test_create_queue_again_with_the_same_redrive_policy_is_idempotent(sqs):
    source, dlq = with_dlq(sqs, max_receives=3)
    policy = json.dumps({"deadLetterTargetArn": arn_of(sqs, dlq), "maxReceiveCount": "3"})
    again = sqs.create_queue(QueueName="work", Attributes={"RedrivePolicy": policy})
    assert again["QueueUrl"] == source


def test_a_long_poll_wakes_when_a_message_is_made_visible(sqs, endpoint):
    import threading
    import time

    from tests.conftest import client

    url = sqs.create_queue(QueueName="wake")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m")
    handle = sqs.receive_message(QueueUrl=url, VisibilityTimeout=600)["Messages"][0][
        "ReceiptHandle"
    ]
    other = client("sqs", endpoint)
    timer = threading.Timer(
        1.0,
        lambda: other.change_message_visibility(
            QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0
        ),
    )
    started = time.monotonic()
    timer.start()
    try:
        got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10)
    finally:
        timer.join()
    assert got["Messages"][0]["Body"] == "m"
    assert time.monotonic() - started < 5
