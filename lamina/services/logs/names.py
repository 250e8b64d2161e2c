"""Log group ARNs, and which log group a request names (logGroupName or logGroupIdentifier)."""

from __future__ import annotations

from typing import Any

from lamina.services.logs.errors import validation


def group_arn(region: str, account: str, name: str) -> str:
    """`logGroupArn`: the group itself. DescribeLogGroups' `arn` adds ':*' (all its streams)."""
    return f"arn:aws:logs:{region}:{account}:log-group:{name}"


def stream_arn(region: str, account: str, group: str, stream: str) -> str:
    return f"{group_arn(region, account, group)}:log-stream:{stream}"


def group_name(params: dict[str, Any]) -> str:
    """The group a read names, by name or by identifier (its name or ARN), never both."""
    name = params.get("logGroupName")
    identifier = params.get("logGroupIdentifier")
    if name and identifier:
        raise validation("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
    if name:
        return str(name)
    if not identifier:
        raise validation("Either logGroupName or logGroupIdentifier must be specified.")
    if identifier.startswith("arn:"):
        # arn:aws:logs:REGION:ACCOUNT:log-group:NAME, with or without a trailing ':*'
        parts = identifier.split(":")
        if len(parts) < 7 or parts[5] != "log-group":
            raise validation(f"Invalid log group ARN: {identifier}")
        return parts[6]
    return str(identifier)
