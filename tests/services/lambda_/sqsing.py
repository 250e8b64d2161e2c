"""Helpers for SQS event source tests: a queue, a function that logs each batch it receives
(and fails, reports or sleeps as the message bodies ask), and a mapping between them."""

from __future__ import annotations

from tests.conftest import create_function, make_zip, wait_for

# One MARK line per invocation: the event, the request id, when it began and ended.
RECEIVING = """import json, time
def handler(event, context):
    began = time.time()
    failures = []
    for record in event["Records"]:
        body = record["body"]
        if body.startswith("sleep "):
            time.sleep(float(body.split()[1]))
        if body.startswith("report"):
            failures.append({"itemIdentifier": record["messageId"]})
    print("MARK " + json.dumps({"event": event, "rid": context.aws_request_id, "t": began,
                                "end": time.time()}))
    if any(r["body"].startswith("fail") for r in event["Records"]):
        raise ValueError("asked to fail")
    return {"batchItemFailures": failures}
"""


def make_queue(sqs, name: str, **attributes: str) -> tuple[str, str]:
    """(url, arn) of a new queue."""
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, arn


def make_receiver(functions, name: str = "receiver", timeout: int = 3) -> str:
    code = {"ZipFile": make_zip({"handler.py": RECEIVING})}
    return create_function(functions, name, Code=code, Timeout=timeout)["FunctionArn"]


def map_queue(functions, arn: str, function: str = "receiver", **settings) -> str:
    """A mapping, once it is Enabled: its UUID."""
    uuid = functions.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=function, **settings
    )["UUID"]
    wait_for(lambda: functions.get_event_source_mapping(UUID=uuid)["State"] == "Enabled")
    return uuid


def counts(sqs, url: str) -> tuple[int, int]:
    """(visible, in flight) messages of the queue."""
    attributes = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return (
        int(attributes["ApproximateNumberOfMessages"]),
        int(attributes["ApproximateNumberOfMessagesNotVisible"]),
    )


def records(marks: list[dict]) -> list[dict]:
    return [record for mark in marks for record in mark["event"]["Records"]]
