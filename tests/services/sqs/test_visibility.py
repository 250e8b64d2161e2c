"""Receipt handles, ChangeMessageVisibility and deleting with old handles, as AWS does."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import error_of


def test_change_visibility_to_zero_makes_the_message_visible(sqs, queue):
    sqs.send_message(QueueUrl=queue, MessageBody="m")
    first = sqs.receive_message(QueueUrl=queue, VisibilityTimeout=600)["Messages"][0]
    sqs.change_message_visibility(
        QueueUrl=queue, ReceiptHandle=first["ReceiptHandle"], VisibilityTimeout=0
    )
    again = sqs.receive_message(QueueUrl=queue)["Messages"][0]
    assert again["MessageId"] == first["MessageId"]


def test_an_older_receipt_handle_no_longer_changes_or_deletes(sqs, queue):
    sqs.send_message(QueueUrl=queue, MessageBody="m")
    old = sqs.receive_message(QueueUrl=queue, VisibilityTimeout=0)["Messages"][0]
    new = sqs.receive_message(QueueUrl=queue, VisibilityTimeout=600)["Messages"][0]
    with pytest.raises(ClientError) as excinfo:
        sqs.change_message_visibility(
            QueueUrl=queue, ReceiptHandle=old["ReceiptHandle"], VisibilityTimeout=0
        )
    assert error_of(excinfo)[:2] == ("InvalidParameterValue", 400)
    # DeleteMessage with it succeeds and deletes nothing (AWS's documented behaviour)
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=old["ReceiptHandle"])
    counts = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
    assert counts["ApproximateNumberOfMessagesNotVisible"] == "1"
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=new["ReceiptHandle"])
    counts = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
    assert counts["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_a_message_not_in_flight(sqs, queue):
    sqs.send_message(QueueUrl=queue, MessageBody="m")
    got = sqs.receive_message(QueueUrl=queue, VisibilityTimeout=0)["Messages"][0]
    with pytest.raises(ClientError) as excinfo:
        sqs.change_message_visibility(
            QueueUrl=queue, ReceiptHandle=got["ReceiptHandle"], VisibilityTimeout=10
        )
    assert error_of(excinfo)[:2] == ("AWS.SimpleQueueService.MessageNotInflight", 400)


def test_a_handle_that_is_not_one(sqs, queue):
    with pytest.raises(ClientError) as excinfo:
        sqs.delete_message(QueueUrl=queue, ReceiptHandle="garbage")
    assert error_of(excinfo) == (
        "ReceiptHandleIsInvalid",
        400,
        'The input receipt handle "garbage" is not a valid receipt handle.',
    )


def test_visibility_timeout_range(sqs, queue):
    sqs.send_message(QueueUrl=queue, MessageBody="m")
    got = sqs.receive_message(QueueUrl=queue)["Messages"][0]
    with pytest.raises(ClientError) as excinfo:
        sqs.change_message_visibility(
            QueueUrl=queue, ReceiptHandle=got["ReceiptHandle"], VisibilityTimeout=43201
        )
    assert error_of(excinfo)[:2] == ("InvalidParameterValue", 400)


def test_change_visibility_batch_reports_each_entry(sqs, queue):
    sqs.send_message(QueueUrl=queue, MessageBody="m")
    got = sqs.receive_message(QueueUrl=queue)["Messages"][0]
    answer = sqs.change_message_visibility_batch(
        QueueUrl=queue,
        Entries=[
            {"Id": "good", "ReceiptHandle": got["ReceiptHandle"], "VisibilityTimeout": 0},
            {"Id": "bad", "ReceiptHandle": "nope", "VisibilityTimeout": 0},
        ],
    )
    assert [e["Id"] for e in answer["Successful"]] == ["good"]
    assert answer["Failed"] == [
        {
            "Id": "bad",
            "SenderFault": True,
            "Code": "ReceiptHandleIsInvalid",
            "Message": 'The input receipt handle "nope" is not a valid receipt handle.',
        }
    ]
    assert sqs.receive_message(QueueUrl=queue)["Messages"][0]["MessageId"] == got["MessageId"]


def test_a_handle_of_another_queue_is_invalid(sqs, queue):
    other = sqs.create_queue(QueueName="other")["QueueUrl"]
    sqs.send_message(QueueUrl=other, MessageBody="m")
    got = sqs.receive_message(QueueUrl=other)["Messages"][0]
    with pytest.raises(ClientError) as excinfo:
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=got["ReceiptHandle"])
    assert error_of(excinfo)[0] == "ReceiptHandleIsInvalid"


def test_receive_parameter_ranges(sqs, queue):
    for options, reason in (
        ({"MaxNumberOfMessages": 11}, "Value 11 for parameter MaxNumberOfMessages is invalid. "
         "Reason: Must be between 1 and 10, if provided."),
        ({"WaitTimeSeconds": 21}, "Value 21 for parameter WaitTimeSeconds is invalid. "
         "Reason: Must be >= 0 and <= 20, if provided."),
    ):  # fmt: skip
        with pytest.raises(ClientError) as excinfo:
            sqs.receive_message(QueueUrl=queue, **options)
        assert error_of(excinfo) == ("InvalidParameterValue", 400, reason)
