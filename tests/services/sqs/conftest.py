"""SQS clients for the live server, and helpers the tests share."""

from __future__ import annotations

import pytest

from tests.conftest import client


@pytest.fixture
def sqs(endpoint: str):
    return client("sqs", endpoint)


@pytest.fixture
def unvalidated_sqs(endpoint: str):
    return client("sqs", endpoint, validate=False)


@pytest.fixture
def queue(sqs) -> str:
    return str(sqs.create_queue(QueueName="q")["QueueUrl"])


@pytest.fixture
def fifo_queue(sqs) -> str:
    return str(sqs.create_queue(QueueName="q.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"])


def arn_of(sqs, url: str) -> str:
    return str(
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
    )


def receive_all(sqs, url: str, **options) -> list[dict]:
    """Every message visible now, ten at a time."""
    got: list[dict] = []
    while True:
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, **options)
        if not answer.get("Messages"):
            return got
        got.extend(answer["Messages"])
