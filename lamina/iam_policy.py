"""IAM policy statements as AWS evaluates them for one action on one resource: an explicit Deny
wins over any Allow, and nothing matching allows nothing. `Action`/`NotAction`,
`Resource`/`NotResource`, `Condition` (iam_conditions.py) against the request's context keys,
and, for a resource-based policy, `Principal`/`NotPrincipal` against the caller. Patterns take
IAM's two wildcards only (iam_patterns.py).

Shared by what evaluates policies: API Gateway's Lambda authorizers' answers, execute-api:Invoke
on AWS_IAM methods (identity-based policies), Lambda's function policies for the services that
invoke a function. A statement whose condition Lamina cannot evaluate fails closed: as a Deny it
applies, as an Allow it does not, and a warning says which operator."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lamina import iam_conditions
from lamina.iam_patterns import matches, matches_action

__all__ = ["Caller", "evaluate", "listed", "matches"]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Caller:
    """Who asks, as a resource-based policy's Principal names callers: an AWS service by its
    service principal, or an IAM identity of an account by its ARNs (a role session is named
    both by its assumed-role ARN and by its role's ARN)."""

    account_id: str | None = None
    arns: tuple[str, ...] = ()
    service: str | None = None


def listed(value: Any) -> list[str]:
    """A statement's `Action` or `Resource`: one string or a list of them."""
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _names(principal: Any, caller: Caller) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    for kind, values in principal.items():
        for value in listed(values):
            if kind == "Service" and caller.service is not None and value == caller.service:
                return True
            if kind != "AWS" or caller.service is not None:
                continue
            if value == "*" or value in caller.arns:
                return True
            account = value.removeprefix("arn:aws:iam::").removesuffix(":root")
            if account == caller.account_id and (value == account or value.endswith(":root")):
                return True  # an account principal names every identity of that account
    return False


def _applies(statement: dict[str, Any], action: str, resource: str, caller: Caller | None) -> bool:
    if "NotAction" in statement:
        if any(matches_action(a, action) for a in listed(statement["NotAction"])):
            return False
    elif not any(matches_action(a, action) for a in listed(statement.get("Action"))):
        return False
    if "NotResource" in statement:
        if any(matches(r, resource) for r in listed(statement["NotResource"])):
            return False
    elif not any(matches(r, resource) for r in listed(statement.get("Resource"))):
        return False
    if caller is not None:
        if "NotPrincipal" in statement:
            return not _names(statement["NotPrincipal"], caller)
        return _names(statement.get("Principal"), caller)
    return True


def evaluate(
    statements: Iterable[dict[str, Any]],
    action: str,
    resource: str,
    context: Mapping[str, str | list[str]] | None = None,
    caller: Caller | None = None,
) -> bool | None:
    """True when a statement allows `action` on `resource` and none denies it, False for an
    explicit deny, None when no statement speaks of them. `context`: the request's condition
    keys, lowercased. `caller`: given for a resource-based policy, whose statements name
    principals; an identity-based policy's statements name none."""
    allowed: bool | None = None
    for statement in statements:
        if not isinstance(statement, dict) or not _applies(statement, action, resource, caller):
            continue
        effect = statement.get("Effect")
        try:
            held = iam_conditions.holds(statement.get("Condition"), context or {})
        except iam_conditions.Unsupported as unknown:
            log.warning("a policy statement's condition %s is not evaluated by Lamina: the "
                        "statement is taken to %s", unknown, "deny" if effect == "Deny"
                        else "not allow")  # fmt: skip
            held = effect == "Deny"
        if not held:
            continue
        if effect == "Deny":
            return False
        if effect == "Allow":
            allowed = True
    return allowed
