"""A stage's access log settings: the destination must be a CloudWatch Logs log group ARN,
the format must name the request (`$context.requestId` or `$context.extendedRequestId`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lamina.services.access_logs import format as formats


class Invalid(Exception):
    """The settings are refused; the message says why (BadRequestException)."""


class Unsupported(Exception):
    """A destination Lamina cannot write to (a Kinesis Data Firehose stream)."""


@dataclass(frozen=True)
class Destination:
    account_id: str
    region: str
    group: str


def destination(arn: str, owner: str) -> Destination:
    """The log group `arn` names (arn:aws:logs:REGION:ACCOUNT:log-group:NAME, a trailing ':*'
    allowed, as DescribeLogGroups' `arn` has it), in the API owner's account."""
    if not arn.startswith("arn:"):
        raise Invalid(f"Invalid ARN specified in the request. ARNs must start with 'arn:': {arn}")
    parts = arn.split(":")
    if len(parts) >= 3 and parts[2] == "firehose":
        raise Unsupported("Kinesis Data Firehose access log destinations")
    name = ":".join(parts[6:]).removesuffix(":*") if len(parts) > 6 else ""
    if len(parts) < 7 or parts[2] != "logs" or parts[5] != "log-group" or not name:
        raise Invalid(f"Invalid ARN specified in the request: {arn}")
    if not parts[3] or parts[4] != owner:
        raise Invalid(
            f"The CloudWatch Logs log group {arn} must be in the API's own account and name "
            "its region."
        )
    return Destination(parts[4], parts[3], name)


def check(destination_arn: str | None, log_format: str | None, owner: str) -> None:
    """Both or neither: AWS needs the two to log, and a format without the request's id."""
    if not destination_arn and not log_format:
        return
    if not log_format:
        raise Invalid("Access Log format must be specified with a destination ARN")
    if not destination_arn:
        raise Invalid("Access Log destination ARN must be specified with a format")
    destination(destination_arn, owner)
    if not formats.names_request(log_format):
        raise Invalid(
            "Access Log format must include either $context.requestId or $context.extendedRequestId"
        )
    if "\n" in log_format or "\r" in log_format:
        raise Invalid("Access Log format must be a single line")


@dataclass(frozen=True)
class AccessLog:
    """What the data plane needs of a stage's settings: where, and how a line reads."""

    destination: Destination
    format: formats.Format


def serving(settings: dict[str, Any] | None, owner: str, keys: tuple[str, str]) -> AccessLog | None:
    """A stage's settings as stored (keys: the destination's and the format's names, as the
    API spells them), for the data plane; None when it does not log."""
    if not settings:
        return None
    arn, log_format = settings.get(keys[0]), settings.get(keys[1])
    if not arn or not log_format:
        return None
    return AccessLog(destination(arn, owner), formats.compile_format(log_format))
