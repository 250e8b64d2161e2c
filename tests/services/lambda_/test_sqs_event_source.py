"""An SQS queue mapped to a function, end to end through boto3 against a live Lamina: records
as Lambda builds them, deletion on success, failures left to the visibility timeout (and so to
the dead-letter queue), ReportBatchItemFailures, batch sizes, FIFO order per message group,
and disabling and deleting a mapping."""

from __future__ import annotations

import hashlib
import itertools
import json
import time

import pytest
from botocore.exceptions import ClientError

from tests.conftest import client, error_of, wait_for
from tests.services.lambda_.asyncing import marks
from tests.services.lambda_.sqsing import counts, make_queue, make_receiver, map_queue, records


@pytest.fixture
def sqs(endpoint):
    return client("sqs", endpoint)


@pytest.fixture
def logs(endpoint):
    return client("logs", endpoint)


def _received(logs, count: int, timeout: float = 30.0) -> list[dict]:
    """The records the receiver has been invoked with, once there are `count` of them."""
    return wait_for(
        lambda: len(found := records(marks(logs, "receiver"))) >= count and found, timeout
    )


def test_a_message_reaches_the_function_as_lambda_builds_the_record(lambda_client, sqs, logs):
    url, arn = make_queue(sqs, "jobs")
    make_receiver(lambda_client)
    map_queue(lambda_client, arn)
    sent = sqs.send_message(
        QueueUrl=url,
        MessageBody='{"hello": "world"}',
        MessageAttributes={
            "Author": {"DataType": "String", "StringValue": "John Grisham"},
            "Blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
        },
    )
    (record,) = _received(logs, 1)
    assert list(record) == [
        "messageId",
        "receiptHandle",
        "body",
        "attributes",
        "messageAttributes",
        "md5OfMessageAttributes",
        "md5OfBody",
        "eventSource",
        "eventSourceARN",
        "awsRegion",
    ]
    assert record["messageId"] == sent["MessageId"]
    assert record["body"] == '{"hello": "world"}'
    assert record["md5OfBody"] == hashlib.md5(b'{"hello": "world"}').hexdigest()
    assert record["md5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == arn
    assert record["awsRegion"] == "us-east-1"
    assert set(record["attributes"]) == {
        "ApproximateReceiveCount",
        "SentTimestamp",
        "SenderId",
        "ApproximateFirstReceiveTimestamp",
    }
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["messageAttributes"] == {
        "Author": {
            "stringValue": "John Grisham",
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "String",
        },
        "Blob": {
            "binaryValue": "AAE=",
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "Binary",
        },
    }
    wait_for(lambda: counts(sqs, url) == (0, 0))  # processed: deleted from the queue


def test_a_record_without_message_attributes_has_a_null_digest_of_them(lambda_client, sqs, logs):
    url, arn = make_queue(sqs, "plain")
    make_receiver(lambda_client)
    map_queue(lambda_client, arn)
    sqs.send_message(QueueUrl=url, MessageBody="not json")
    (record,) = _received(logs, 1)
    assert record["messageAttributes"] == {}
    assert record["md5OfMessageAttributes"] is None
    assert record["body"] == "not json"


def test_batches_hold_at_most_batch_size_and_every_message_is_processed(lambda_client, sqs, logs):
    url, arn = make_queue(sqs, "many")
    make_receiver(lambda_client)
    map_queue(lambda_client, arn, BatchSize=4)
    for start in range(0, 25, 10):
        entries = [
            {"Id": str(n), "MessageBody": f"m{n}"} for n in range(start, min(start + 10, 25))
        ]
        sqs.send_message_batch(QueueUrl=url, Entries=entries)
    got = _received(logs, 25)
    assert sorted(r["body"] for r in got) == sorted(f"m{n}" for n in range(25))
    assert all(len(mark["event"]["Records"]) <= 4 for mark in marks(logs, "receiver"))
    wait_for(lambda: counts(sqs, url) == (0, 0))


def test_a_failed_batch_returns_after_the_visibility_timeout_and_reaches_the_dead_letter_queue(
    lambda_client, sqs, logs
):
    dlq_url, dlq_arn = make_queue(sqs, "dead")
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"})
    url, arn = make_queue(sqs, "work", VisibilityTimeout="1", RedrivePolicy=redrive)
    make_receiver(lambda_client, timeout=1)
    map_queue(lambda_client, arn)
    sqs.send_message(QueueUrl=url, MessageBody="fail please")
    dead = wait_for(lambda: sqs.receive_message(QueueUrl=dlq_url).get("Messages"), timeout=30)
    assert dead[0]["Body"] == "fail please"
    tries = [r["attributes"]["ApproximateReceiveCount"] for r in _received(logs, 2)]
    assert tries == ["1", "2"]


def test_report_batch_item_failures_deletes_all_but_the_reported_messages(lambda_client, sqs, logs):
    url, arn = make_queue(sqs, "partial", VisibilityTimeout="3")
    make_receiver(lambda_client)
    map_queue(
        lambda_client,
        arn,
        FunctionResponseTypes=["ReportBatchItemFailures"],
        MaximumBatchingWindowInSeconds=1,
    )
    entries = [
        {"Id": "a", "MessageBody": "ok a"},
        {"Id": "b", "MessageBody": "report b"},
        {"Id": "c", "MessageBody": "ok c"},
    ]
    sqs.send_message_batch(QueueUrl=url, Entries=entries)
    got = _received(logs, 4)  # the three, then the reported one again
    assert sorted(r["body"] for r in got[:3]) == ["ok a", "ok c", "report b"]
    assert got[3]["body"] == "report b"
    assert got[3]["attributes"]["ApproximateReceiveCount"] == "2"
    assert all(r["body"] == "report b" for r in got[3:])


def test_a_fifo_queue_is_processed_in_order_one_batch_per_group_at_a_time(lambda_client, sqs, logs):
    url, arn = make_queue(sqs, "ordered.fifo", FifoQueue="true", ContentBasedDeduplication="true")
    make_receiver(lambda_client)
    map_queue(lambda_client, arn, BatchSize=2)
    for n in range(6):
        for group in ("a", "b"):
            sqs.send_message(
                QueueUrl=url, MessageBody=f"sleep 0.05 {group}{n}", MessageGroupId=group
            )
    got = _received(logs, 12)
    for group in ("a", "b"):
        mine = [r for r in got if r["attributes"]["MessageGroupId"] == group]
        assert [r["body"].split()[-1] for r in mine] == [f"{group}{n}" for n in range(6)]
        numbers = [int(r["attributes"]["SequenceNumber"]) for r in mine]
        assert numbers == sorted(numbers)
        assert all(r["attributes"]["MessageDeduplicationId"] for r in mine)
    # Never two invocations holding one group at once.
    spans: dict[str, list[tuple[float, float]]] = {"a": [], "b": []}
    for mark in marks(logs, "receiver"):
        for group in {r["attributes"]["MessageGroupId"] for r in mark["event"]["Records"]}:
            spans[group].append((mark["t"], mark["end"]))
    for group_spans in spans.values():
        ordered = sorted(group_spans)
        assert all(earlier[1] <= later[0] for earlier, later in itertools.pairwise(ordered))


def test_a_disabled_mapping_stops_polling_and_resumes_when_enabled(lambda_client, sqs, logs):
    url, arn = make_queue(sqs, "pausable")
    make_receiver(lambda_client)
    uuid = map_queue(lambda_client, arn)
    lambda_client.update_event_source_mapping(UUID=uuid, Enabled=False)
    wait_for(lambda: lambda_client.get_event_source_mapping(UUID=uuid)["State"] == "Disabled")
    sqs.send_message(QueueUrl=url, MessageBody="wait for me")
    time.sleep(2)
    assert marks(logs, "receiver") == []
    assert counts(sqs, url) == (1, 0)
    lambda_client.update_event_source_mapping(UUID=uuid, Enabled=True)
    assert [r["body"] for r in _received(logs, 1)] == ["wait for me"]


def test_a_deleted_mapping_leaves_the_queue_alone(lambda_client, sqs, logs):
    url, arn = make_queue(sqs, "orphan")
    make_receiver(lambda_client)
    uuid = map_queue(lambda_client, arn)
    lambda_client.delete_event_source_mapping(UUID=uuid)
    wait_for(lambda: not lambda_client.list_event_source_mappings()["EventSourceMappings"])
    sqs.send_message(QueueUrl=url, MessageBody="nobody reads this")
    time.sleep(2)
    assert marks(logs, "receiver") == []
    assert counts(sqs, url) == (1, 0)


def test_filter_criteria_pass_matching_messages_and_delete_the_rest(lambda_client, sqs, logs):
    url, arn = make_queue(sqs, "filtered")
    make_receiver(lambda_client)
    patterns = [
        {"body": {"kind": ["wanted"]}},
        {"body": ["plain wanted"]},  # a body that is no JSON is matched as the string it is
        {"messageAttributes": {"tier": {"stringValue": ["gold"]}}},
    ]
    created = lambda_client.create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName="receiver",
        FilterCriteria={"Filters": [{"Pattern": json.dumps(p)} for p in patterns]},
    )
    assert [json.loads(f["Pattern"]) for f in created["FilterCriteria"]["Filters"]] == patterns
    wait_for(
        lambda: lambda_client.get_event_source_mapping(UUID=created["UUID"])["State"] == "Enabled"
    )
    gold = {"tier": {"DataType": "String", "StringValue": "gold"}}
    for body, attributes in (
        ('{"kind": "unwanted"}', {}),
        ('{"kind": "wanted"}', {}),
        ("plain unwanted", {}),
        ("plain wanted", {}),
        ("anything", gold),
    ):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=attributes)
    got = _received(logs, 3)
    assert sorted(r["body"] for r in got) == ["anything", "plain wanted", '{"kind": "wanted"}']
    wait_for(lambda: counts(sqs, url) == (0, 0))  # the filtered-out ones were deleted
    time.sleep(1)
    assert len(records(marks(logs, "receiver"))) == 3


def test_a_pattern_outside_lambdas_dialect_is_invalid(lambda_client, sqs):
    _, arn = make_queue(sqs, "strict")
    make_receiver(lambda_client)
    with pytest.raises(ClientError) as excinfo:
        lambda_client.create_event_source_mapping(
            EventSourceArn=arn,
            FunctionName="receiver",
            FilterCriteria={"Filters": [{"Pattern": '{"body": {"ip": [{"cidr": "10.0.0.0/8"}]}}'}]},
        )
    assert error_of(excinfo) == (
        "InvalidParameterValueException",
        400,
        "Invalid filter pattern definition.",
    )


def test_a_throttled_function_gets_every_message_in_time(lambda_client, sqs, logs):
    url, arn = make_queue(sqs, "busy", VisibilityTimeout="10")
    make_receiver(lambda_client)
    lambda_client.put_function_concurrency(FunctionName="receiver", ReservedConcurrentExecutions=1)
    map_queue(lambda_client, arn, BatchSize=1)
    for start in range(0, 40, 10):
        entries = [
            {"Id": str(n), "MessageBody": f"sleep 0.05 {n}"} for n in range(start, start + 10)
        ]
        sqs.send_message_batch(QueueUrl=url, Entries=entries)
    got = _received(logs, 40, timeout=60)
    assert sorted(int(r["body"].split()[-1]) for r in got) == list(range(40))
    # Throttled batches were retried while hidden, not left to come back: each ran once.
    assert {r["attributes"]["ApproximateReceiveCount"] for r in got} == {"1"}
    spans = sorted((m["t"], m["end"]) for m in marks(logs, "receiver"))
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))  # one at a time


def test_an_updated_function_receives_the_next_batches(lambda_client, sqs, logs):
    url, arn = make_queue(sqs, "moving")
    make_receiver(lambda_client)
    make_receiver(lambda_client, "successor")
    uuid = map_queue(lambda_client, arn)
    sqs.send_message(QueueUrl=url, MessageBody="first")
    assert [r["body"] for r in _received(logs, 1)] == ["first"]
    updated = lambda_client.update_event_source_mapping(UUID=uuid, FunctionName="successor")
    assert updated["FunctionArn"].endswith(":function:successor")
    wait_for(lambda: lambda_client.get_event_source_mapping(UUID=uuid)["State"] == "Enabled")
    sqs.send_message(QueueUrl=url, MessageBody="second")
    wait_for(lambda: [r["body"] for r in records(marks(logs, "successor"))] == ["second"])
    assert [r["body"] for r in records(marks(logs, "receiver"))] == ["first"]


def _most_at_once(spans: list[tuple[float, float]]) -> int:
    edges = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    running = most = 0
    for _, step in edges:  # an end sorts before a start at the same instant
        running += step
        most = max(most, running)
    return most


def test_maximum_concurrency_caps_the_batches_in_flight(lambda_client, sqs, logs):
    url, arn = make_queue(sqs, "capped")
    make_receiver(lambda_client)
    map_queue(lambda_client, arn, BatchSize=1, ScalingConfig={"MaximumConcurrency": 2})
    for start in range(0, 30, 10):
        entries = [
            {"Id": str(n), "MessageBody": f"sleep 0.2 {n}"} for n in range(start, start + 10)
        ]
        sqs.send_message_batch(QueueUrl=url, Entries=entries)
    _received(logs, 30, timeout=60)
    spans = [(m["t"], m["end"]) for m in marks(logs, "receiver")]
    assert _most_at_once(spans) == 2  # the backlog brought a second, never a third
