"""FIFO queues: order within a group, a group held while in flight, deduplication, sequence
numbers and the parameters AWS asks of FIFO sends."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import error_of


def send(sqs, url, body, group="g", **options):
    return sqs.send_message(
        QueueUrl=url, MessageBody=body, MessageGroupId=group, MessageDeduplicationId=body, **options
    )


def test_order_within_a_group_and_increasing_sequence_numbers(sqs, fifo_queue):
    numbers = [int(send(sqs, fifo_queue, f"m{i}")["SequenceNumber"]) for i in range(5)]
    assert numbers == sorted(numbers) and len(set(numbers)) == 5
    got = sqs.receive_message(
        QueueUrl=fifo_queue, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
    )["Messages"]
    assert [m["Body"] for m in got] == [f"m{i}" for i in range(5)]
    assert [int(m["Attributes"]["SequenceNumber"]) for m in got] == numbers
    assert got[0]["Attributes"]["MessageGroupId"] == "g"
    assert got[0]["Attributes"]["MessageDeduplicationId"] == "m0"


def test_a_group_in_flight_is_held_back_other_groups_are_not(sqs, fifo_queue):
    send(sqs, fifo_queue, "a1", group="a")
    send(sqs, fifo_queue, "a2", group="a")
    send(sqs, fifo_queue, "b1", group="b")
    first = sqs.receive_message(QueueUrl=fifo_queue)["Messages"][0]
    assert first["Body"] == "a1"
    # a2 waits while a1 is in flight; b1 does not
    second = sqs.receive_message(QueueUrl=fifo_queue, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in second] == ["b1"]
    sqs.delete_message(QueueUrl=fifo_queue, ReceiptHandle=first["ReceiptHandle"])
    third = sqs.receive_message(QueueUrl=fifo_queue, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in third] == ["a2"]


def test_a_duplicate_is_answered_with_the_original_id_and_not_enqueued(sqs, fifo_queue):
    first = send(sqs, fifo_queue, "same")
    again = send(sqs, fifo_queue, "same")
    assert again["MessageId"] == first["MessageId"]
    assert again["SequenceNumber"] == first["SequenceNumber"]
    got = sqs.receive_message(QueueUrl=fifo_queue, MaxNumberOfMessages=10)["Messages"]
    assert len(got) == 1
    # still a duplicate after the first was consumed, within the 5 minutes
    sqs.delete_message(QueueUrl=fifo_queue, ReceiptHandle=got[0]["ReceiptHandle"])
    send(sqs, fifo_queue, "same")
    assert "Messages" not in sqs.receive_message(QueueUrl=fifo_queue)


def test_content_based_deduplication(sqs):
    url = sqs.create_queue(
        QueueName="cbd.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )["QueueUrl"]
    first = sqs.send_message(QueueUrl=url, MessageBody="body", MessageGroupId="g")
    again = sqs.send_message(QueueUrl=url, MessageBody="body", MessageGroupId="g")
    other = sqs.send_message(QueueUrl=url, MessageBody="other", MessageGroupId="g")
    assert again["MessageId"] == first["MessageId"] != other["MessageId"]


def test_deduplication_scope_message_group(sqs):
    url = sqs.create_queue(
        QueueName="hi.fifo",
        Attributes={
            "FifoQueue": "true",
            "DeduplicationScope": "messageGroup",
            "FifoThroughputLimit": "perMessageGroupId",
        },
    )["QueueUrl"]
    a = sqs.send_message(
        QueueUrl=url, MessageBody="x", MessageGroupId="a", MessageDeduplicationId="d"
    )
    b = sqs.send_message(
        QueueUrl=url, MessageBody="x", MessageGroupId="b", MessageDeduplicationId="d"
    )
    assert a["MessageId"] != b["MessageId"]


def test_per_message_group_throughput_needs_group_scope(sqs):
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(
            QueueName="bad.fifo",
            Attributes={"FifoQueue": "true", "FifoThroughputLimit": "perMessageGroupId"},
        )
    assert error_of(excinfo)[0] == "InvalidAttributeValue"


def test_fifo_send_parameters(sqs, fifo_queue):
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=fifo_queue, MessageBody="x", MessageDeduplicationId="d")
    assert error_of(excinfo) == (
        "MissingParameter",
        400,
        "The request must contain the parameter MessageGroupId.",
    )
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=fifo_queue, MessageBody="x", MessageGroupId="g")
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        400,
        "The queue should either have ContentBasedDeduplication enabled or "
        "MessageDeduplicationId provided explicitly",
    )
    with pytest.raises(ClientError) as excinfo:
        send(sqs, fifo_queue, "x", DelaySeconds=5)
    assert error_of(excinfo)[0] == "InvalidParameterValue"


def test_standard_queues_take_a_group_but_not_a_deduplication_id(sqs, queue):
    sqs.send_message(QueueUrl=queue, MessageBody="fair", MessageGroupId="tenant-1")
    got = sqs.receive_message(QueueUrl=queue, MessageSystemAttributeNames=["MessageGroupId"])
    assert got["Messages"][0]["Attributes"] == {"MessageGroupId": "tenant-1"}
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=queue, MessageBody="x", MessageDeduplicationId="d")
    assert error_of(excinfo)[0] == "InvalidParameterValue"


def test_a_retried_receive_gets_the_same_messages(sqs, fifo_queue):
    for i in range(3):
        send(sqs, fifo_queue, f"m{i}")
    first = sqs.receive_message(
        QueueUrl=fifo_queue, MaxNumberOfMessages=2, ReceiveRequestAttemptId="attempt-1"
    )["Messages"]
    again = sqs.receive_message(
        QueueUrl=fifo_queue, MaxNumberOfMessages=2, ReceiveRequestAttemptId="attempt-1"
    )["Messages"]
    assert [m["ReceiptHandle"] for m in again] == [m["ReceiptHandle"] for m in first]
    assert [m["Body"] for m in again] == ["m0", "m1"]


def test_fifo_batch(sqs, fifo_queue):
    answer = sqs.send_message_batch(
        QueueUrl=fifo_queue,
        Entries=[
            {"Id": f"e{i}", "MessageBody": f"b{i}", "MessageGroupId": "g",
             "MessageDeduplicationId": f"d{i}"}
            for i in range(4)
        ] + [{"Id": "nogroup", "MessageBody": "x", "MessageDeduplicationId": "dx"}],
    )  # fmt: skip
    assert [e["Id"] for e in answer["Successful"]] == ["e0", "e1", "e2", "e3"]
    assert answer["Failed"][0]["Code"] == "MissingParameter"
    got = sqs.receive_message(QueueUrl=fifo_queue, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in got] == ["b0", "b1", "b2", "b3"]
