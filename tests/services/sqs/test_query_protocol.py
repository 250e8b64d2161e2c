"""The query protocol older SDKs speak: form posts (signed with SigV4), XML answers, to the
endpoint or to the queue's own URL."""

from __future__ import annotations

from urllib.parse import quote
from xml.etree import ElementTree

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

NS = {"q": "http://queue.amazonaws.com/doc/2012-11-05/"}


def query(endpoint: str, params: dict[str, str], path: str = "/") -> requests.Response:
    body = "&".join(
        f"{k}={quote(str(v), safe='')}" for k, v in {"Version": "2012-11-05", **params}.items()
    )
    request = AWSRequest(
        "POST",
        endpoint + path,
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    SigV4Auth(Credentials("test", "test"), "sqs", "us-east-1").add_auth(request)
    return requests.post(endpoint + path, data=body, headers=dict(request.headers), timeout=30)


def xml(answer: requests.Response) -> ElementTree.Element:
    return ElementTree.fromstring(answer.content)


def texts(root: ElementTree.Element, path: str) -> list[str]:
    return [node.text or "" for node in root.findall(path, NS)]


@pytest.fixture
def queue_path(endpoint) -> str:
    answer = query(
        endpoint,
        {
            "Action": "CreateQueue",
            "QueueName": "legacy",
            "Attribute.1.Name": "VisibilityTimeout",
            "Attribute.1.Value": "7",
        },
    )
    assert answer.status_code == 200, answer.text
    url = texts(xml(answer), "q:CreateQueueResult/q:QueueUrl")[0]
    return "/" + url.split("/", 3)[3]


def test_create_queue_and_its_attributes_over_query(endpoint, queue_path, sqs):
    answer = query(endpoint, {"Action": "GetQueueAttributes", "AttributeName.1": "All"}, queue_path)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/xml"
    root = xml(answer)
    attributes = dict(
        zip(
            texts(root, "q:GetQueueAttributesResult/q:Attribute/q:Name"),
            texts(root, "q:GetQueueAttributesResult/q:Attribute/q:Value"),
            strict=True,
        )
    )
    assert attributes["VisibilityTimeout"] == "7"
    assert attributes["QueueArn"] == "arn:aws:sqs:us-east-1:000000000000:legacy"
    # the same queue over json
    url = sqs.get_queue_url(QueueName="legacy")["QueueUrl"]
    assert url.endswith(queue_path)


def test_send_and_receive_with_attributes_posted_to_the_queue_url(endpoint, queue_path, sqs):
    sent = query(
        endpoint,
        {
            "Action": "SendMessage",
            "MessageBody": "from an old SDK",
            "MessageAttribute.1.Name": "kind",
            "MessageAttribute.1.Value.DataType": "String",
            "MessageAttribute.1.Value.StringValue": "legacy",
        },
        queue_path,
    )
    assert sent.status_code == 200, sent.text
    md5 = texts(xml(sent), "q:SendMessageResult/q:MD5OfMessageAttributes")[0]
    got = query(
        endpoint,
        {
            "Action": "ReceiveMessage",
            "MaxNumberOfMessages": "10",
            "AttributeName.1": "All",
            "MessageAttributeName.1": "All",
        },
        queue_path,
    )
    root = xml(got)
    message = root.find("q:ReceiveMessageResult/q:Message", NS)
    assert message is not None
    assert texts(message, "q:Body") == ["from an old SDK"]
    assert texts(message, "q:MessageAttribute/q:Name") == ["kind"]
    assert texts(message, "q:MessageAttribute/q:Value/q:StringValue") == ["legacy"]
    assert texts(message, "q:MD5OfMessageAttributes") == [md5]
    assert "ApproximateReceiveCount" in texts(message, "q:Attribute/q:Name")
    handle = texts(message, "q:ReceiptHandle")[0]
    deleted = query(endpoint, {"Action": "DeleteMessage", "ReceiptHandle": handle}, queue_path)
    assert deleted.status_code == 200
    url = sqs.get_queue_url(QueueName="legacy")["QueueUrl"]
    assert "Messages" not in sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)


def test_query_errors_carry_the_legacy_codes(endpoint):
    answer = query(endpoint, {"Action": "GetQueueUrl", "QueueName": "missing"})
    assert answer.status_code == 400
    root = xml(answer)
    assert texts(root, "q:Error/q:Code") == ["AWS.SimpleQueueService.NonExistentQueue"]
    assert texts(root, "q:Error/q:Type") == ["Sender"]
    assert texts(root, "q:Error/q:Message") == ["The specified queue does not exist."]
    assert texts(root, "q:RequestId")


def test_query_batch_entries_and_their_errors(endpoint, queue_path):
    answer = query(
        endpoint,
        {
            "Action": "SendMessageBatch",
            "SendMessageBatchRequestEntry.1.Id": "ok",
            "SendMessageBatchRequestEntry.1.MessageBody": "fine",
            "SendMessageBatchRequestEntry.2.Id": "bad",
            "SendMessageBatchRequestEntry.2.MessageBody": "\x01",
        },
        queue_path,
    )
    assert answer.status_code == 200, answer.text
    root = xml(answer)
    assert texts(root, "q:SendMessageBatchResult/q:SendMessageBatchResultEntry/q:Id") == ["ok"]
    assert texts(root, "q:SendMessageBatchResult/q:BatchResultErrorEntry/q:Id") == ["bad"]
    assert texts(root, "q:SendMessageBatchResult/q:BatchResultErrorEntry/q:Code") == [
        "InvalidMessageContents"
    ]
    repeated = query(
        endpoint,
        {
            "Action": "DeleteMessageBatch",
            "DeleteMessageBatchRequestEntry.1.Id": "a",
            "DeleteMessageBatchRequestEntry.1.ReceiptHandle": "x",
            "DeleteMessageBatchRequestEntry.2.Id": "a",
            "DeleteMessageBatchRequestEntry.2.ReceiptHandle": "y",
        },
        queue_path,
    )
    assert repeated.status_code == 400
    assert texts(xml(repeated), "q:Error/q:Code") == [
        "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"
    ]


def test_query_missing_parameter(endpoint, queue_path):
    answer = query(endpoint, {"Action": "SendMessage"}, queue_path)
    assert answer.status_code == 400
    root = xml(answer)
    assert texts(root, "q:Error/q:Code") == ["MissingParameter"]
    assert texts(root, "q:Error/q:Message") == [
        "The request must contain the parameter MessageBody."
    ]


def test_query_list_queues(endpoint, queue_path):
    root = xml(query(endpoint, {"Action": "ListQueues"}))
    urls = texts(root, "q:ListQueuesResult/q:QueueUrl")
    assert [u.rsplit("/", 1)[1] for u in urls] == ["legacy"]


def test_an_unsigned_query_request_finds_sqs_by_its_action(endpoint):
    answer = requests.post(
        endpoint, data={"Action": "CreateQueue", "QueueName": "plain"}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    assert texts(xml(answer), "q:CreateQueueResult/q:QueueUrl")[0].endswith("/000000000000/plain")
