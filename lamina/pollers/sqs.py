"""The SQS adapter: a mapping's queue, reached only through SQS's own operations in-process.

Fetch is a long-poll ReceiveMessage (the queue's own visibility timeout hides what it returns);
records are built as Lambda builds them; processed and filtered-out messages are deleted with
DeleteMessageBatch; failed ones are left alone, to come back after the visibility timeout (and
reach the queue's dead-letter queue by its maxReceiveCount). A FIFO queue needs nothing more
here: SQS returns no message of a group while another of that group is in flight, so no two
batches ever hold one group, and its order is kept.
"""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

from lamina.pollers.batching import record_size
from lamina.pollers.source import Mapping, Record, identity_for
from lamina.protocol.errors import ServiceError
from lamina.services.internal import InternalClient

log = logging.getLogger("lamina.pollers.sqs")

# The system attributes Lambda passes on, in the order its records show them.
ATTRIBUTES = (
    "ApproximateReceiveCount",
    "AWSTraceHeader",
    "SentTimestamp",
    "SequenceNumber",
    "MessageGroupId",
    "SenderId",
    "MessageDeduplicationId",
    "ApproximateFirstReceiveTimestamp",
)
DEFAULT_VISIBILITY_S = 30.0


def queue_name(arn: str) -> tuple[str, str, str]:
    """(region, account, name) of arn:aws:sqs:REGION:ACCOUNT:NAME."""
    parts = arn.split(":")
    return parts[3], parts[4], parts[5]


def message_attributes(given: dict[str, Any]) -> dict[str, Any]:
    """SQS's MessageAttributes as Lambda's records spell them (camelCase, binary in base64)."""
    shaped: dict[str, Any] = {}
    for name, value in given.items():
        entry: dict[str, Any] = {}
        if value.get("StringValue") is not None:
            entry["stringValue"] = value["StringValue"]
        if value.get("BinaryValue") is not None:
            entry["binaryValue"] = _b64(value["BinaryValue"])
        entry["stringListValues"] = list(value.get("StringListValues") or [])
        entry["binaryListValues"] = [_b64(item) for item in value.get("BinaryListValues") or []]
        entry["dataType"] = value.get("DataType")
        shaped[name] = entry
    return shaped


def _b64(value: bytes | str) -> str:
    raw = value.encode() if isinstance(value, str) else value
    return base64.b64encode(raw).decode()


def record_of(message: dict[str, Any], arn: str, region: str) -> Record:
    given = message.get("Attributes") or {}
    body = message.get("Body", "")
    event = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": body,
        "attributes": {name: given[name] for name in ATTRIBUTES if name in given},
        "messageAttributes": message_attributes(message.get("MessageAttributes") or {}),
        "md5OfMessageAttributes": message.get("MD5OfMessageAttributes"),
        "md5OfBody": message.get("MD5OfBody"),
        "eventSource": "aws:sqs",
        "eventSourceARN": arn,
        "awsRegion": region,
    }
    # Filters see a JSON body as its JSON; any other body as the plain string it is.
    try:
        parsed = json.loads(body)
    except ValueError:
        filtered = event
    else:
        filtered = dict(event, body=parsed)
    return Record(
        event, record_size(event), message["MessageId"], message["ReceiptHandle"], filtered
    )


class SqsQueue:
    max_per_fetch = 10  # ReceiveMessage's MaxNumberOfMessages at most

    def __init__(self, mapping: Mapping, internal: InternalClient) -> None:
        self.mapping = mapping
        self.internal = internal
        self.region, self.account, self.name = queue_name(mapping.source_arn)
        self.url: str | None = None
        self.hold_s = DEFAULT_VISIBILITY_S

    async def _call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        return await self.internal.call_async(
            "sqs", operation, params, identity=identity_for(self.mapping), region=self.region
        )

    async def prepare(self) -> None:
        found = await self._call(
            "GetQueueUrl", {"QueueName": self.name, "QueueOwnerAWSAccountId": self.account}
        )
        url = found["QueueUrl"]
        answer = await self._call(
            "GetQueueAttributes", {"QueueUrl": url, "AttributeNames": ["VisibilityTimeout"]}
        )
        timeout = (answer.get("Attributes") or {}).get("VisibilityTimeout")
        self.hold_s = float(timeout) if timeout is not None else DEFAULT_VISIBILITY_S
        self.url = url

    async def fetch(self, limit: int, wait_s: int) -> list[Record]:
        if self.url is None:
            await self.prepare()
        assert self.url is not None
        try:
            answer = await self._call(
                "ReceiveMessage",
                {
                    "QueueUrl": self.url,
                    "MaxNumberOfMessages": limit,
                    "WaitTimeSeconds": wait_s,
                    "MessageSystemAttributeNames": ["All"],
                    "MessageAttributeNames": ["All"],
                },
            )
        except ServiceError as error:
            if "NonExistentQueue" in error.code or "QueueDoesNotExist" in error.code:
                self.url = None  # deleted, perhaps made again: find it afresh next time
            raise
        arn, region = self.mapping.source_arn, self.region
        return [record_of(message, arn, region) for message in answer.get("Messages") or []]

    async def ack(self, records: list[Record]) -> None:
        assert self.url is not None
        for start in range(0, len(records), 10):
            chunk = records[start : start + 10]
            entries = [
                {"Id": str(index), "ReceiptHandle": record.handle}
                for index, record in enumerate(chunk)
            ]
            answer = await self._call(
                "DeleteMessageBatch", {"QueueUrl": self.url, "Entries": entries}
            )
            for failed in answer.get("Failed") or []:
                log.warning(
                    "could not delete a processed message from %s: %s",
                    self.name,
                    failed.get("Message") or failed.get("Code"),
                )

    async def fail(self, records: list[Record]) -> None:
        """Nothing to do: the messages come back once their visibility timeout ends."""
