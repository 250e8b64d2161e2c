"""Queues: CreateQueue, GetQueueUrl, ListQueues, DeleteQueue, tags and purging, as AWS
answers them."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import client, error_of


def test_create_queue_answers_a_url_on_the_endpoints_port(sqs, endpoint):
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    port = endpoint.rsplit(":", 1)[1]
    assert url == f"http://sqs.us-east-1.localhost:{port}/000000000000/orders"
    assert sqs.get_queue_url(QueueName="orders")["QueueUrl"] == url


def test_create_queue_is_idempotent_with_the_same_attributes(sqs):
    first = sqs.create_queue(QueueName="same", Attributes={"VisibilityTimeout": "60"})
    again = sqs.create_queue(QueueName="same", Attributes={"VisibilityTimeout": "60"})
    assert first["QueueUrl"] == again["QueueUrl"]


def test_create_queue_with_other_attributes_is_queue_already_exists(sqs):
    sqs.create_queue(QueueName="same", Attributes={"VisibilityTimeout": "60"})
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName="same", Attributes={"VisibilityTimeout": "61"})
    code, status, message = error_of(excinfo)
    assert (code, status) == ("QueueAlreadyExists", 400)
    assert "VisibilityTimeout" in message
    assert excinfo.value.response["Error"]["QueryErrorCode"] == "QueueNameExists"


@pytest.mark.parametrize("name", ["has space", "x" * 81, "dot.name", ""])
def test_invalid_queue_names_are_refused(unvalidated_sqs, name):
    with pytest.raises(ClientError) as excinfo:
        unvalidated_sqs.create_queue(QueueName=name)
    assert error_of(excinfo)[0] in ("InvalidParameterValue", "MissingParameter")


def test_a_fifo_queue_needs_the_fifo_suffix(sqs):
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName="nofifo", Attributes={"FifoQueue": "true"})
    code, status, message = error_of(excinfo)
    assert (code, status) == ("InvalidParameterValue", 400)
    assert ".fifo" in message


def test_get_queue_url_of_a_missing_queue(sqs):
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as excinfo:
        sqs.get_queue_url(QueueName="missing")
    code, status, message = error_of(excinfo)
    assert (code, status, message) == (
        "AWS.SimpleQueueService.NonExistentQueue",
        400,
        "The specified queue does not exist.",
    )
    assert excinfo.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-query-error"] == (
        "AWS.SimpleQueueService.NonExistentQueue;Sender"
    )


def test_get_queue_url_of_another_account(sqs, endpoint):
    other = client("sqs", endpoint, access_key="111111111111")
    url = other.create_queue(QueueName="theirs")["QueueUrl"]
    found = sqs.get_queue_url(QueueName="theirs", QueueOwnerAWSAccountId="111111111111")
    assert found["QueueUrl"] == url
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName="theirs")


def test_list_queues_by_prefix_and_in_pages(sqs):
    for name in ("a1", "a2", "a3", "b1"):
        sqs.create_queue(QueueName=name)
    assert [u.rsplit("/", 1)[1] for u in sqs.list_queues()["QueueUrls"]] == [
        "a1",
        "a2",
        "a3",
        "b1",
    ]
    assert [u.rsplit("/", 1)[1] for u in sqs.list_queues(QueueNamePrefix="a")["QueueUrls"]] == [
        "a1",
        "a2",
        "a3",
    ]
    first = sqs.list_queues(MaxResults=2)
    assert len(first["QueueUrls"]) == 2
    second = sqs.list_queues(MaxResults=2, NextToken=first["NextToken"])
    assert len(second["QueueUrls"]) == 2 and "NextToken" not in second
    assert "QueueUrls" not in sqs.list_queues(QueueNamePrefix="zzz")


def test_deleted_queue_is_gone_and_its_name_waits_60_seconds(sqs, queue):
    sqs.delete_queue(QueueUrl=queue)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName="q")
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.send_message(QueueUrl=queue, MessageBody="x")
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName="q")
    assert error_of(excinfo)[:2] == ("AWS.SimpleQueueService.QueueDeletedRecently", 400)


def test_a_url_with_any_host_names_the_queue(sqs, queue):
    for url in (
        queue.replace("sqs.us-east-1.localhost", "localhost"),
        queue.replace("sqs.us-east-1.localhost", "127.0.0.1"),
        "https://sqs.us-east-1.amazonaws.com/000000000000/q",
    ):
        sqs.send_message(QueueUrl=url, MessageBody="hi")
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "3"


def test_tags_on_create_and_after(sqs):
    url = sqs.create_queue(QueueName="tagged", tags={"team": "a", "env": "dev"})["QueueUrl"]
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "a", "env": "dev"}
    sqs.tag_queue(QueueUrl=url, Tags={"env": "prod", "cost": "1"})
    sqs.untag_queue(QueueUrl=url, TagKeys=["team"])
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"env": "prod", "cost": "1"}


def test_purge_queue_empties_it_once_a_minute(sqs, queue):
    for i in range(3):
        sqs.send_message(QueueUrl=queue, MessageBody=f"m{i}")
    sqs.purge_queue(QueueUrl=queue)
    assert "Messages" not in sqs.receive_message(QueueUrl=queue)
    with pytest.raises(ClientError) as excinfo:
        sqs.purge_queue(QueueUrl=queue)
    code, status, message = error_of(excinfo)
    assert (code, status) == ("AWS.SimpleQueueService.PurgeQueueInProgress", 403)
    assert message == "Only one PurgeQueue operation on q is allowed every 60 seconds."
