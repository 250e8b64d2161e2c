"""GetQueueAttributes and SetQueueAttributes: every attribute, AWS's ranges and defaults."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.conftest import error_of


def test_all_attributes_of_a_new_queue(sqs, queue):
    attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
    assert {k: v for k, v in attributes.items() if not k.endswith("Timestamp")} == {
        "QueueArn": "arn:aws:sqs:us-east-1:000000000000:q",
        "ApproximateNumberOfMessages": "0",
        "ApproximateNumberOfMessagesNotVisible": "0",
        "ApproximateNumberOfMessagesDelayed": "0",
        "VisibilityTimeout": "30",
        "MaximumMessageSize": "1048576",
        "MessageRetentionPeriod": "345600",
        "DelaySeconds": "0",
        "ReceiveMessageWaitTimeSeconds": "0",
        "SqsManagedSseEnabled": "true",
    }
    assert int(attributes["CreatedTimestamp"]) > 1_600_000_000


def test_fifo_attributes(sqs, fifo_queue):
    attributes = sqs.get_queue_attributes(QueueUrl=fifo_queue, AttributeNames=["All"])["Attributes"]
    assert attributes["FifoQueue"] == "true"
    assert attributes["ContentBasedDeduplication"] == "false"
    assert attributes["DeduplicationScope"] == "queue"
    assert attributes["FifoThroughputLimit"] == "perQueue"


def test_set_and_get_attributes(sqs, queue):
    sqs.set_queue_attributes(
        QueueUrl=queue,
        Attributes={
            "VisibilityTimeout": "45",
            "DelaySeconds": "3",
            "KmsMasterKeyId": "alias/aws/sqs",
            "SqsManagedSseEnabled": "false",
        },
    )
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue,
        AttributeNames=["VisibilityTimeout", "DelaySeconds", "KmsMasterKeyId"],
    )["Attributes"]
    assert attributes == {
        "VisibilityTimeout": "45",
        "DelaySeconds": "3",
        "KmsMasterKeyId": "alias/aws/sqs",
    }


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("VisibilityTimeout", "43201"),
        ("DelaySeconds", "-1"),
        ("MaximumMessageSize", "1023"),
        ("MessageRetentionPeriod", "59"),
        ("ReceiveMessageWaitTimeSeconds", "21"),
        ("KmsDataKeyReusePeriodSeconds", "59"),
        ("VisibilityTimeout", "soon"),
    ],
)
def test_values_out_of_range(sqs, queue, name, value):
    with pytest.raises(ClientError) as excinfo:
        sqs.set_queue_attributes(QueueUrl=queue, Attributes={name: value})
    assert error_of(excinfo) == (
        "InvalidAttributeValue",
        400,
        f"Invalid value for the parameter {name}.",
    )


def test_unknown_attribute_names(sqs, queue):
    with pytest.raises(ClientError) as excinfo:
        sqs.set_queue_attributes(QueueUrl=queue, Attributes={"VisibilityTimeoutSeconds": "5"})
    assert error_of(excinfo) == (
        "InvalidAttributeName",
        400,
        "Unknown Attribute VisibilityTimeoutSeconds.",
    )
    with pytest.raises(ClientError) as excinfo:
        sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["Nope"])
    assert error_of(excinfo)[0] == "InvalidAttributeName"
    with pytest.raises(ClientError) as excinfo:  # FIFO-only, on a standard queue
        sqs.set_queue_attributes(QueueUrl=queue, Attributes={"ContentBasedDeduplication": "true"})
    assert error_of(excinfo)[0] == "InvalidAttributeName"


def test_an_empty_policy_removes_it(sqs, queue):
    policy = {"Version": "2012-10-17", "Statement": []}
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={"Policy": json.dumps(policy)})
    got = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["Policy"])["Attributes"]
    assert json.loads(got["Policy"]) == policy
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={"Policy": ""})
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["Policy"])


def test_queue_default_visibility_and_delay_apply(sqs):
    url = sqs.create_queue(
        QueueName="slow", Attributes={"DelaySeconds": "1", "VisibilityTimeout": "1"}
    )["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m")
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10)["Messages"][0]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    again = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10)["Messages"][0]
    assert again["MessageId"] == got["MessageId"]


def test_add_and_remove_permission_edit_the_policy(sqs, queue):
    sqs.add_permission(
        QueueUrl=queue,
        Label="senders",
        AWSAccountIds=["111111111111", "222222222222"],
        Actions=["SendMessage"],
    )
    policy = json.loads(
        sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["Policy"])["Attributes"]["Policy"]
    )
    assert policy["Statement"] == [
        {
            "Sid": "senders",
            "Effect": "Allow",
            "Principal": {
                "AWS": ["arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root"]
            },
            "Action": "SQS:SendMessage",
            "Resource": "arn:aws:sqs:us-east-1:000000000000:q",
        }
    ]
    with pytest.raises(ClientError) as excinfo:
        sqs.add_permission(
            QueueUrl=queue, Label="senders", AWSAccountIds=["1"], Actions=["SendMessage"]
        )
    assert error_of(excinfo)[0] == "InvalidParameterValue"
    sqs.remove_permission(QueueUrl=queue, Label="senders")
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["Policy"])
    with pytest.raises(ClientError) as excinfo:
        sqs.remove_permission(QueueUrl=queue, Label="senders")
    assert error_of(excinfo)[0] == "InvalidParameterValue"
