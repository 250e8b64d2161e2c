"""Sending, receiving and deleting: bodies, attributes and their digests, as boto3 sees them."""

from __future__ import annotations

import hashlib

import pytest
from botocore.exceptions import ClientError

from tests.conftest import error_of


def test_send_receive_delete(sqs, queue):
    sent = sqs.send_message(QueueUrl=queue, MessageBody="hello")
    assert sent["MD5OfMessageBody"] == hashlib.md5(b"hello").hexdigest()
    got = sqs.receive_message(QueueUrl=queue)["Messages"]
    assert [(m["MessageId"], m["Body"]) for m in got] == [(sent["MessageId"], "hello")]
    assert got[0]["MD5OfBody"] == sent["MD5OfMessageBody"]
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=got[0]["ReceiptHandle"])
    assert "Messages" not in sqs.receive_message(QueueUrl=queue, VisibilityTimeout=0)


def test_a_received_message_is_hidden_for_its_visibility_timeout(sqs, queue):
    sqs.send_message(QueueUrl=queue, MessageBody="once")
    first = sqs.receive_message(QueueUrl=queue, VisibilityTimeout=1)["Messages"][0]
    assert "Messages" not in sqs.receive_message(QueueUrl=queue)
    again = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=5)["Messages"][0]
    assert again["MessageId"] == first["MessageId"]
    assert again["ReceiptHandle"] != first["ReceiptHandle"]


def test_message_attributes_and_their_digest(sqs, queue):
    attributes = {
        "s": {"DataType": "String", "StringValue": "text ü"},
        "n": {"DataType": "Number.int", "StringValue": "42"},
        "b": {"DataType": "Binary", "BinaryValue": b"\x00\xff"},
    }
    sent = sqs.send_message(QueueUrl=queue, MessageBody="a", MessageAttributes=attributes)
    got = sqs.receive_message(QueueUrl=queue, MessageAttributeNames=["All"])["Messages"][0]
    assert got["MessageAttributes"] == attributes
    assert got["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]


def test_known_attribute_digest():
    # AWS's digest of {"attr1": String "test1"}, as SDKs compute to check answers.
    from lamina.services.sqs.digests import md5_of_attributes

    value = {"attr1": {"DataType": "String", "StringValue": "test1"}}
    raw = b"\x00\x00\x00\x05attr1\x00\x00\x00\x06String\x01\x00\x00\x00\x05test1"
    assert md5_of_attributes(value) == hashlib.md5(raw).hexdigest()


def test_message_attribute_names_select(sqs, queue):
    attributes = {
        name: {"DataType": "String", "StringValue": name} for name in ("foo.a", "foo.b", "bar")
    }
    sqs.send_message(QueueUrl=queue, MessageBody="a", MessageAttributes=attributes)
    got = sqs.receive_message(QueueUrl=queue, MessageAttributeNames=["foo.*"], VisibilityTimeout=0)[
        "Messages"
    ][0]
    assert set(got["MessageAttributes"]) == {"foo.a", "foo.b"}
    got = sqs.receive_message(QueueUrl=queue, MessageAttributeNames=["bar"], VisibilityTimeout=0)[
        "Messages"
    ][0]
    assert set(got["MessageAttributes"]) == {"bar"}
    got = sqs.receive_message(QueueUrl=queue)["Messages"][0]
    assert "MessageAttributes" not in got and "MD5OfMessageAttributes" not in got


def test_system_attributes_on_receive(sqs, queue):
    sqs.send_message(
        QueueUrl=queue,
        MessageBody="a",
        MessageSystemAttributes={
            "AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-abc"}
        },
    )
    got = sqs.receive_message(QueueUrl=queue, MessageSystemAttributeNames=["All"])
    attributes = got["Messages"][0]["Attributes"]
    assert attributes["SenderId"] == "000000000000"
    assert attributes["ApproximateReceiveCount"] == "1"
    assert attributes["AWSTraceHeader"] == "Root=1-abc"
    assert int(attributes["ApproximateFirstReceiveTimestamp"]) >= int(attributes["SentTimestamp"])


def test_invalid_characters_are_invalid_message_contents(sqs, queue):
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=queue, MessageBody="bad \x00 char")
    assert error_of(excinfo)[:2] == ("InvalidMessageContents", 400)


def test_empty_string_attribute_is_refused(sqs, queue):
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(
            QueueUrl=queue,
            MessageBody="x",
            MessageAttributes={"ErrorDetails": {"StringValue": "", "DataType": "String"}},
        )
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        400,
        "Message (user) attribute 'ErrorDetails' must contain a non-empty value of type 'String'.",
    )


@pytest.mark.parametrize("name", ["AWS.x", "amazon.y", ".lead", "trail.", "bad!", "L" * 257])
def test_invalid_attribute_names(sqs, queue, name):
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(
            QueueUrl=queue,
            MessageBody="x",
            MessageAttributes={name: {"StringValue": "v", "DataType": "String"}},
        )
    assert error_of(excinfo)[0] == "InvalidParameterValue"


def test_eleven_attributes_are_too_many(sqs, queue):
    attributes = {f"a{i}": {"StringValue": "v", "DataType": "String"} for i in range(11)}
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=queue, MessageBody="x", MessageAttributes=attributes)
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        400,
        "Number of message attributes [11] exceeds the allowed maximum [10].",
    )


def test_a_message_over_the_queues_maximum_size_is_refused(sqs):
    url = sqs.create_queue(QueueName="small", Attributes={"MaximumMessageSize": "1024"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x" * 1024)
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody="x" * 1025)
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        400,
        "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.",
    )


def test_delayed_message_waits(sqs, queue):
    sqs.send_message(QueueUrl=queue, MessageBody="later", DelaySeconds=2)
    attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessagesDelayed"] == "1"
    assert "Messages" not in sqs.receive_message(QueueUrl=queue)
    assert sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=10)["Messages"][0]["Body"] == (
        "later"
    )


def test_missing_body_is_missing_parameter(unvalidated_sqs, queue):
    with pytest.raises(ClientError) as excinfo:
        unvalidated_sqs.send_message(QueueUrl=queue)
    assert error_of(excinfo) == (
        "MissingParameter",
        400,
        "The request must contain the parameter MessageBody.",
    )
