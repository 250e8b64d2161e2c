"""Does a role's trust policy let an AWS service assume it? Asked where a service is handed a
role to act as (API Gateway's integration credentials, its account's CloudWatch Logs role)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from lamina import iam_policy


def trusts(role: dict[str, Any], service: str) -> bool:
    """Whether the role (as IAM's GetRole answers it) allows `service` sts:AssumeRole."""
    trust = json.loads(unquote(role["AssumeRolePolicyDocument"])).get("Statement", [])
    trust = trust if isinstance(trust, list) else [trust]
    own = [{**s, "Resource": "*"} for s in trust if isinstance(s, dict)]
    caller = iam_policy.Caller(service=service)
    return iam_policy.evaluate(own, "sts:AssumeRole", "*", {}, caller) is True
