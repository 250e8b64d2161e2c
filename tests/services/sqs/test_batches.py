"""SendMessageBatch and DeleteMessageBatch: the whole-request errors and per-entry failures."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import error_of
from tests.services.sqs.conftest import receive_all


def test_send_batch_and_delete_batch(sqs, queue):
    sent = sqs.send_message_batch(
        QueueUrl=queue, Entries=[{"Id": f"m{i}", "MessageBody": f"body {i}"} for i in range(10)]
    )
    assert len(sent["Successful"]) == 10 and not sent.get("Failed")
    got = receive_all(sqs, queue)
    assert sorted(m["Body"] for m in got) == sorted(f"body {i}" for i in range(10))
    deleted = sqs.delete_message_batch(
        QueueUrl=queue,
        Entries=[{"Id": f"d{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)],
    )
    assert len(deleted["Successful"]) == 10
    assert "Messages" not in sqs.receive_message(QueueUrl=queue, VisibilityTimeout=0)


def test_failed_entries_are_listed_and_the_others_sent(sqs, queue):
    answer = sqs.send_message_batch(
        QueueUrl=queue,
        Entries=[
            {"Id": "ok", "MessageBody": "fine"},
            {"Id": "bad", "MessageBody": "\x08"},
            {"Id": "late", "MessageBody": "x", "DelaySeconds": 901},
        ],
    )
    assert [e["Id"] for e in answer["Successful"]] == ["ok"]
    failed = {e["Id"]: e for e in answer["Failed"]}
    assert failed["bad"]["Code"] == "InvalidMessageContents" and failed["bad"]["SenderFault"]
    assert failed["late"]["Code"] == "InvalidParameterValue"


@pytest.mark.parametrize(
    ("entries", "code", "message"),
    [
        ([], "AWS.SimpleQueueService.EmptyBatchRequest",
         "There should be at least one SendMessageBatchRequestEntry in the request."),
        ([{"Id": str(i), "MessageBody": "x"} for i in range(11)],
         "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
         "Maximum number of entries per request are 10. You have sent 11."),
        ([{"Id": "a", "MessageBody": "x"}, {"Id": "a", "MessageBody": "y"}],
         "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id a repeated."),
        ([{"Id": "not valid!", "MessageBody": "x"}],
         "AWS.SimpleQueueService.InvalidBatchEntryId",
         "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
         "It can be at most 80 letters long."),
    ],
)  # fmt: skip
def test_whole_batch_errors(unvalidated_sqs, queue, entries, code, message):
    with pytest.raises(ClientError) as excinfo:
        unvalidated_sqs.send_message_batch(QueueUrl=queue, Entries=entries)
    assert error_of(excinfo) == (code, 400, message)


def test_a_batch_too_long(sqs, queue):
    entries = [{"Id": f"m{i}", "MessageBody": "x" * 200_000} for i in range(6)]
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message_batch(QueueUrl=queue, Entries=entries)
    code, status, message = error_of(excinfo)
    assert (code, status) == ("AWS.SimpleQueueService.BatchRequestTooLong", 400)
    assert message.startswith("Batch requests cannot be longer than 1048576 bytes.")


def test_delete_batch_deletes_what_each_handle_still_holds(sqs, queue):
    """One statement for the batch: a stale handle (the message received again since) deletes
    nothing and succeeds, as DeleteMessage does; a handle that is none fails alone."""
    for i in range(3):
        sqs.send_message(QueueUrl=queue, MessageBody=f"body {i}")
    first = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, VisibilityTimeout=0)
    first = first["Messages"]
    again = {m["Body"]: m for m in receive_all(sqs, queue, VisibilityTimeout=30)}
    assert len(first) == len(again) == 3
    stale = next(m for m in first if m["Body"] == "body 0")
    entries = [
        {"Id": "stale", "ReceiptHandle": stale["ReceiptHandle"]},
        {"Id": "current", "ReceiptHandle": again["body 1"]["ReceiptHandle"]},
        {"Id": "twice", "ReceiptHandle": again["body 1"]["ReceiptHandle"]},
        {"Id": "none", "ReceiptHandle": "not a handle"},
    ]
    answer = sqs.delete_message_batch(QueueUrl=queue, Entries=entries)
    assert sorted(e["Id"] for e in answer["Successful"]) == ["current", "stale", "twice"]
    assert [(f["Id"], f["Code"]) for f in answer["Failed"]] == [("none", "ReceiptHandleIsInvalid")]
    # body 0 (held by its second receive) and body 2 are still there; body 1 is gone.
    sqs.change_message_visibility(
        QueueUrl=queue, ReceiptHandle=again["body 0"]["ReceiptHandle"], VisibilityTimeout=0
    )
    sqs.change_message_visibility(
        QueueUrl=queue, ReceiptHandle=again["body 2"]["ReceiptHandle"], VisibilityTimeout=0
    )
    assert sorted(m["Body"] for m in receive_all(sqs, queue)) == ["body 0", "body 2"]
