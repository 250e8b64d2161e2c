"""AddPermission and RemovePermission: statements in the queue's Policy document, edited as
AWS edits it (one statement per label)."""

from __future__ import annotations

import json
from typing import Any

from lamina.services.sqs.errors import invalid_parameter

ACTIONS = {
    "*",
    "ChangeMessageVisibility",
    "DeleteMessage",
    "GetQueueAttributes",
    "GetQueueUrl",
    "ReceiveMessage",
    "SendMessage",
}


def _one_or_many(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else values


def add(
    policy_text: str | None, arn: str, label: str, accounts: list[str], actions: list[str]
) -> str:
    for action in actions:
        if action not in ACTIONS:
            raise invalid_parameter(
                f"Value SQS:{action} for parameter ActionName is invalid. Reason: Only the "
                "queue owner is allowed to invoke this action."
            )
    if not accounts:
        raise invalid_parameter("The request must contain the parameter AWSAccountIds.")
    policy = json.loads(policy_text) if policy_text else _empty(arn)
    statements = policy.setdefault("Statement", [])
    if isinstance(statements, dict):
        statements = policy["Statement"] = [statements]
    if any(s.get("Sid") == label for s in statements):
        raise invalid_parameter(
            f"Value {label} for parameter Label is invalid. Reason: Already exists."
        )
    statements.append(
        {
            "Sid": label,
            "Effect": "Allow",
            "Principal": {"AWS": _one_or_many([f"arn:aws:iam::{a}:root" for a in accounts])},
            "Action": _one_or_many([f"SQS:{action}" for action in actions]),
            "Resource": arn,
        }
    )
    return json.dumps(policy, separators=(",", ":"))


def remove(policy_text: str | None, label: str) -> str:
    """The policy without the label's statement; '' once no statement is left."""
    policy: dict[str, Any] = json.loads(policy_text) if policy_text else {}
    statements = policy.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    kept = [s for s in statements if s.get("Sid") != label]
    if len(kept) == len(statements):
        raise invalid_parameter(
            f"Value {label} for parameter Label is invalid. Reason: can't find label on "
            "existing policy."
        )
    if not kept:
        return ""
    policy["Statement"] = kept
    return json.dumps(policy, separators=(",", ":"))


def _empty(arn: str) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Id": f"{arn}/SQSDefaultPolicy", "Statement": []}
