"""A layer version's resource-based policy: its statements as AWS writes them, and who they
let use the version.

Lamina enforces them already, where AWS does: a function may use (and GetLayerVersion may
read) another account's layer version only when one of its statements grants that account
(its id, `arn:aws:iam::ID:root`, or `*`). A statement limited to an organization grants no
one here, as Lamina has no AWS Organizations to tell members by.
"""

from __future__ import annotations

import json
from typing import Any

from lamina.services.lambda_.errors import (
    access_denied,
    invalid_parameter,
    resource_conflict,
    resource_not_found,
)

ACTION = "lambda:GetLayerVersion"


def statement(
    sid: str, principal: str, resource: str, organization_id: str | None
) -> dict[str, Any]:
    """One statement, as AddLayerVersionPermission returns it (a 12-digit principal becomes
    its account's root)."""
    shown: Any = "*" if principal == "*" else {"AWS": _root(principal)}
    made: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": shown,
        "Action": ACTION,
        "Resource": resource,
    }
    if organization_id:
        made["Condition"] = {"StringEquals": {"aws:PrincipalOrgID": organization_id}}
    return made


def check_action(action: str) -> None:
    if action != ACTION:
        raise invalid_parameter(f"Action must be {ACTION}")


def document(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Id": "default", "Statement": statements})


def allows(statements: list[dict[str, Any]], account_id: str) -> bool:
    for found in statements:
        if "Condition" in found:
            continue  # an organization's: see the module's note
        principal = found["Principal"]
        if principal == "*" or principal.get("AWS") == f"arn:aws:iam::{account_id}:root":
            return True
    return False


def _root(principal: str) -> str:
    return f"arn:aws:iam::{principal}:root" if principal.isdigit() else principal


def statement_exists(sid: str) -> Exception:
    return resource_conflict(
        f"The statement id ({sid}) provided already exists. Please provide a new statement id, "
        "or remove the existing statement.",
    )


def statement_not_found(sid: str) -> Exception:
    return resource_not_found(f"Statement {sid} is not found in resource policy.")


def no_policy() -> Exception:
    return resource_not_found("No policy is associated with the given resource.")


def not_allowed(ctx_account: str, version_arn: str) -> Exception:
    return access_denied(
        f"User: arn:aws:iam::{ctx_account}:root is not authorized to perform: {ACTION} on "
        f"resource: {version_arn} because no resource-based policy allows the {ACTION} action"
    )
