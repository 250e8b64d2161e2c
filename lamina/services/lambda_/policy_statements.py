"""Resource-based policy statements as Lambda writes them from AddPermission's parameters, and
the one question the function URL data plane asks of them today (may anyone invoke it?)."""

from __future__ import annotations

import json
import re
from typing import Any

from lamina.services.lambda_.errors import invalid_parameter

POLICY_LIMIT = 20 * 1024  # bytes of the policy document, as Lambda counts it
_ACCOUNT = re.compile(r"^\d{12}$")
_SERVICE = re.compile(r"^[a-zA-Z0-9.-]+\.[a-zA-Z0-9.-]+$")  # s3.amazonaws.com, events.…


def principal(value: str) -> Any:
    """AddPermission's Principal as the policy shows it: '*' stays, an account becomes its root
    ARN, an ARN an AWS principal, a service name a Service principal."""
    if value == "*":
        return "*"
    if _ACCOUNT.match(value):
        return {"AWS": f"arn:aws:iam::{value}:root"}
    if value.startswith("arn:"):
        return {"AWS": value}
    if _SERVICE.match(value):
        return {"Service": value}
    raise invalid_parameter(
        "The provided principal was invalid. Please check the principal and try again."
    )


def statement(params: dict[str, Any], resource: str) -> dict[str, Any]:
    """The statement AddPermission adds, its Condition keys named as Lambda names them."""
    made: dict[str, Any] = {
        "Sid": params["StatementId"],
        "Effect": "Allow",
        "Principal": principal(params["Principal"]),
        "Action": params["Action"],
        "Resource": resource,
    }
    condition: dict[str, dict[str, str]] = {}
    equals = (
        ("SourceAccount", "AWS:SourceAccount"),
        ("PrincipalOrgID", "aws:PrincipalOrgID"),
        ("EventSourceToken", "lambda:EventSourceToken"),
        ("FunctionUrlAuthType", "lambda:FunctionUrlAuthType"),
    )
    for param, key in equals:
        if params.get(param):
            condition.setdefault("StringEquals", {})[key] = params[param]
    if params.get("InvokedViaFunctionUrl"):
        condition["Bool"] = {"lambda:InvokedViaFunctionUrl": "true"}
    if params.get("SourceArn"):
        condition["ArnLike"] = {"AWS:SourceArn": params["SourceArn"]}
    if condition:
        made["Condition"] = condition
    return made


def document(statements: list[dict[str, Any]]) -> str:
    """The policy as GetPolicy returns it: compact JSON, AWS's Version and Id."""
    return dump({"Version": "2012-10-17", "Id": "default", "Statement": statements})


def dump(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def allows_public_url(statements: list[dict[str, Any]]) -> bool:
    """AuthType NONE serves only when the policy lets anyone invoke the URL, as AWS requires:
    Principal '*', lambda:InvokeFunctionUrl (or lambda:*), FunctionUrlAuthType NONE."""
    for found in statements:
        if found.get("Effect") != "Allow" or found.get("Principal") != "*":
            continue
        if found.get("Action") not in ("lambda:InvokeFunctionUrl", "lambda:*"):
            continue
        auth = found.get("Condition", {}).get("StringEquals", {}).get("lambda:FunctionUrlAuthType")
        if auth == "NONE":
            return True
    return False
