"""Trust policies (a role's AssumeRolePolicyDocument), evaluated for one caller and action.

A statement applies when its Action (or NotAction) covers the action and its Principal names
the caller; a Deny that applies wins, else an Allow that applies grants. What is evaluated:

* Principal "*" / {"AWS": "*"}; an account (its id or arn:aws:iam::ACCOUNT:root: any
  identity of that account, as IAM then defers to the account's own policies, which Lamina
  does not enforce yet); a user's ARN; a role's ARN (its sessions); a session's ARN; the
  unique ids (AIDA…, AROA…) IAM leaves in a policy whose principal was deleted; "Service"
  (AWS services acting in-process, e.g. lambda.amazonaws.com); "Federated" (the OIDC
  provider of AssumeRoleWithWebIdentity).
* Conditions: StringEquals and StringLike on the keys the request brings (sts:ExternalId,
  ISSUER:aud, ISSUER:sub). Any other operator or key, and NotPrincipal, is refused with
  NotImplementedException rather than guessed: a policy Lamina cannot evaluate grants
  nothing silently.
"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from typing import Any

from lamina.identity import SERVICE, Identity
from lamina.services.sts.errors import not_supported

_OPERATORS = ("StringEquals", "StringLike")
_ACCOUNT = re.compile(r"(\d{12})|arn:aws:iam::(\d{12}):root")


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def allows(
    document: dict[str, Any],
    action: str,
    caller: Identity | None,
    context: dict[str, list[str]],
    federated: list[str] | None = None,
) -> bool:
    """Whether the trust policy lets `caller` (or, for web identities, one of the `federated`
    provider names) perform `action`. `context`: condition keys (lowercase) → values."""
    allowed = False
    for statement in _listed(document.get("Statement", [])):
        if not isinstance(statement, dict) or not _covers(statement, action):
            continue
        if "NotPrincipal" in statement:
            raise not_supported("NotPrincipal in a role's trust policy")
        if not _names(statement.get("Principal"), caller, federated or []):
            continue
        if not _conditions_hold(statement.get("Condition") or {}, context):
            continue
        if statement.get("Effect") == "Deny":
            return False
        if statement.get("Effect") == "Allow":
            allowed = True
    return allowed


def _covers(statement: dict[str, Any], action: str) -> bool:
    if "NotAction" in statement:
        return not any(_action_matches(a, action) for a in _listed(statement["NotAction"]))
    return any(_action_matches(a, action) for a in _listed(statement.get("Action", [])))


def _action_matches(pattern: Any, action: str) -> bool:
    return isinstance(pattern, str) and fnmatchcase(action.lower(), pattern.lower())


def _names(principal: Any, caller: Identity | None, federated: list[str]) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    for kind, values in principal.items():
        for value in _listed(values):
            if not isinstance(value, str):
                continue
            if kind == "AWS" and caller is not None and _aws_names(value, caller):
                return True
            service = caller is not None and caller.kind == SERVICE
            if kind == "Service" and service and value == caller.service_principal:  # type: ignore[union-attr]
                return True
            if kind == "Federated" and value in federated:
                return True
    return False


def _aws_names(value: str, caller: Identity) -> bool:
    if caller.kind == SERVICE:
        return False
    if value == "*":
        return True
    account = _ACCOUNT.fullmatch(value)
    if account:
        return (account.group(1) or account.group(2)) == caller.account_id
    if value in (caller.arn, caller.role_arn, caller.role_id):
        return True
    return value == caller.user_id.split(":", 1)[0]


def _conditions_hold(conditions: dict[str, Any], context: dict[str, list[str]]) -> bool:
    for operator, tests in conditions.items():
        if operator not in _OPERATORS:
            raise not_supported(f"the condition operator {operator} in a role's trust policy")
        if not isinstance(tests, dict):
            return False
        for key, expected in tests.items():
            if key.lower() not in context:
                raise not_supported(f"the condition key {key} in a role's trust policy")
            present = context[key.lower()]
            wanted = [str(v) for v in _listed(expected)]
            if operator == "StringEquals":
                ok = any(value == want for value in present for want in wanted)
            else:
                ok = any(fnmatchcase(value, want) for value in present for want in wanted)
            if not ok:
                return False
    return True
