"""Log groups and streams as the API answers them."""

from __future__ import annotations

from typing import Any

from lamina.services.logs.groups import LogGroup
from lamina.services.logs.names import group_arn, stream_arn
from lamina.services.logs.streams import LogStream


def sequence_token(sequence: int) -> str:
    """A stream's upload sequence token (56 digits, like AWS's); AWS no longer checks them."""
    return f"{sequence:056d}"


def log_group(region: str, account: str, group: LogGroup) -> dict[str, Any]:
    arn = group_arn(region, account, group.name)
    found: dict[str, Any] = {
        "logGroupName": group.name,
        "creationTime": group.creation_time,
        "metricFilterCount": 0,
        "arn": f"{arn}:*",
        "storedBytes": group.stored_bytes,
        "logGroupClass": group.log_group_class,
        "logGroupArn": arn,
        "deletionProtectionEnabled": False,
    }
    if group.retention_in_days is not None:
        found["retentionInDays"] = group.retention_in_days
    if group.kms_key_id:
        found["kmsKeyId"] = group.kms_key_id
    return found


def log_stream(region: str, account: str, group: str, stream: LogStream) -> dict[str, Any]:
    found: dict[str, Any] = {
        "logStreamName": stream.name,
        "creationTime": stream.creation_time,
        "arn": stream_arn(region, account, group, stream.name),
        "storedBytes": 0,  # AWS: "no longer supported for log streams ... always zero"
        "uploadSequenceToken": sequence_token(stream.sequence),
    }
    for member, value in (
        ("firstEventTimestamp", stream.first_event_timestamp),
        ("lastEventTimestamp", stream.last_event_timestamp),
        ("lastIngestionTime", stream.last_ingestion_time),
    ):
        if value is not None:
            found[member] = value
    return found
