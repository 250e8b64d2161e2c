"""Queue attributes: which there are, their ranges and defaults, and AWS's checks.

Values are kept as AWS shows them, strings. KmsMasterKeyId, KmsDataKeyReusePeriodSeconds and
SqsManagedSseEnabled are stored and returned as set; Lamina encrypts nothing with them (its
store is the data directory or the fleet's database, protected as those are).
"""

from __future__ import annotations

import json
from typing import Any

from lamina.services.sqs.errors import invalid_attribute_name, invalid_attribute_value

# name: (lowest, highest) for the whole-number attributes
RANGES = {
    "DelaySeconds": (0, 900),
    "MaximumMessageSize": (1024, 1_048_576),
    "MessageRetentionPeriod": (60, 1_209_600),
    "ReceiveMessageWaitTimeSeconds": (0, 20),
    "VisibilityTimeout": (0, 43_200),
    "KmsDataKeyReusePeriodSeconds": (60, 86_400),
}
DEFAULTS = {
    "DelaySeconds": "0",
    "MaximumMessageSize": "1048576",
    "MessageRetentionPeriod": "345600",
    "ReceiveMessageWaitTimeSeconds": "0",
    "VisibilityTimeout": "30",
    "SqsManagedSseEnabled": "true",  # AWS's default for new queues since 2022
}
FIFO_DEFAULTS = {
    "FifoQueue": "true",
    "ContentBasedDeduplication": "false",
    "DeduplicationScope": "queue",
    "FifoThroughputLimit": "perQueue",
}
FIFO_ONLY = {"ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"}
POLICIES = {"Policy", "RedrivePolicy", "RedriveAllowPolicy"}
SETTABLE = (
    set(RANGES) | POLICIES | FIFO_ONLY | {"KmsMasterKeyId", "SqsManagedSseEnabled", "FifoQueue"}
)
COMPUTED = {
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
    "QueueArn",
}
READABLE = SETTABLE | COMPUTED
BOOLEANS = {"SqsManagedSseEnabled", "FifoQueue", "ContentBasedDeduplication"}
CHOICES = {
    "DeduplicationScope": ("messageGroup", "queue"),
    "FifoThroughputLimit": ("perQueue", "perMessageGroupId"),
}


def check(attributes: dict[str, str], fifo: bool, creating: bool) -> dict[str, str]:
    """The attributes as they will be stored; InvalidAttributeName / InvalidAttributeValue as
    AWS answers them. Redrive policies are checked against other queues elsewhere."""
    out: dict[str, str] = {}
    for name, value in attributes.items():
        if name not in SETTABLE:
            raise invalid_attribute_name(f"Unknown Attribute {name}.")
        if name == "FifoQueue" and not creating:
            raise invalid_attribute_name(f"Unknown Attribute {name}.")
        if name in FIFO_ONLY and not fifo:
            raise invalid_attribute_name(f"Unknown Attribute {name}.")
        out[name] = _value(name, value, fifo)
    throughput = out.get("FifoThroughputLimit")
    scope = out.get("DeduplicationScope", "queue")
    if creating and throughput == "perMessageGroupId" and scope != "messageGroup":
        raise invalid_attribute_value(
            "FifoThroughputLimit",
            "The perMessageGroupId value is allowed only when the value for "
            "DeduplicationScope is messageGroup.",
        )
    if out.get("SqsManagedSseEnabled") == "true" and out.get("KmsMasterKeyId"):
        raise invalid_attribute_name(
            "You can use one type of server-side encryption (SSE) at one time. You can "
            "either enable KMS SSE or SQS SSE."
        )
    out.pop("FifoQueue", None)  # the queue's kind, kept in its own column
    return out


def _value(name: str, value: str, fifo: bool) -> str:
    value = str(value)
    if name in RANGES:
        low, high = RANGES[name]
        try:
            number = int(value)
        except ValueError:
            raise invalid_attribute_value(name) from None
        if not low <= number <= high:
            raise invalid_attribute_value(name)
        return str(number)
    if name in BOOLEANS:
        if value.lower() not in ("true", "false"):
            raise invalid_attribute_value(name)
        if name == "FifoQueue" and value.lower() == "false" and fifo:
            raise invalid_attribute_value(name)
        return value.lower()
    if name in CHOICES:
        if value not in CHOICES[name]:
            raise invalid_attribute_value(name)
        return value
    if name in POLICIES and value:
        try:
            document = json.loads(value)
        except ValueError:
            raise invalid_attribute_value(name, "failed to parse JSON.") from None
        if not isinstance(document, dict):
            raise invalid_attribute_value(name)
    return value


def effective(stored: dict[str, str], fifo: bool) -> dict[str, str]:
    """What the queue behaves by: its defaults, then what was set."""
    values = dict(DEFAULTS)
    if fifo:
        values.update(FIFO_DEFAULTS)
    if stored.get("KmsMasterKeyId"):
        values.pop("SqsManagedSseEnabled")
        values.setdefault("KmsDataKeyReusePeriodSeconds", "300")
    values.update(stored)
    return values


def requested(names: list[str]) -> set[str]:
    """AttributeNames of GetQueueAttributes: 'All' or names AWS knows."""
    wanted: set[str] = set()
    for name in names:
        if name == "All":
            return set(READABLE)
        if name not in READABLE:
            raise invalid_attribute_name(f"Unknown Attribute {name}.")
        wanted.add(name)
    return wanted


def as_int(values: dict[str, Any], name: str) -> int:
    return int(values.get(name, DEFAULTS.get(name, "0")))
