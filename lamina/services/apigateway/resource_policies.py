"""A REST API's resource policy as API Gateway keeps it: JSON text on CreateRestApi,
UpdateRestApi (`replace /policy`) or an OpenAPI document's `x-amazon-apigateway-policy`
object, checked to be a policy document (else BadRequestException in AWS's words), each
`Resource`/`NotResource` starting `execute-api:` made the API's own ARN
(`execute-api:/prod/GET/pets` → `arn:aws:execute-api:{region}:{account}:{api-id}/prod/GET/pets`,
as AWS writes it back), and answered by GetRestApi as AWS answers it: the compact JSON with its
quotes and slashes backslash-escaped (`{\\"Version\\":…\\/prod\\/GET…}`).

Principals are checked for their form (`*`, an account id, an IAM ARN), not for existing."""

from __future__ import annotations

import json
import re
from typing import Any

from lamina.services.apigateway.errors import bad_request

MAX_LENGTH = 8192  # characters: API Gateway's quota for a resource policy
INVALID = (
    "Invalid policy document. Please check the policy syntax and ensure that Principals are valid."
)
_TOP = {"Version", "Id", "Statement"}
_STATEMENT = {
    "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource",
    "NotResource", "Condition",
}  # fmt: skip
_PRINCIPAL_KINDS = {"AWS", "Service", "Federated", "CanonicalUser"}
_AWS_PRINCIPAL = re.compile(
    r"^(\*|\d{12}|arn:aws:iam::\d{12}:(root|user/.+|role/.+|federated-user/.+)"
    r"|arn:aws:sts::\d{12}:(assumed-role/.+/.+|federated-user/.+))$"
)
_PREFIX = "execute-api:"


def _invalid() -> Exception:
    return bad_request(INVALID)


def _strings(value: Any) -> list[str]:
    """A statement's Action, Resource or a principal's values: one string or a non-empty list."""
    if isinstance(value, str) and value:
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return value
    raise _invalid()


def _check_principal(principal: Any) -> None:
    if principal == "*":
        return
    if not isinstance(principal, dict) or not principal:
        raise _invalid()
    for kind, values in principal.items():
        if kind not in _PRINCIPAL_KINDS:
            raise _invalid()
        for value in _strings(values):
            if kind == "AWS" and not _AWS_PRINCIPAL.match(value):
                raise _invalid()


def _check_condition(condition: Any) -> None:
    if not isinstance(condition, dict):
        raise _invalid()
    for keys in condition.values():
        if not isinstance(keys, dict) or not keys:
            raise _invalid()
        for value in keys.values():
            listed = value if isinstance(value, list) else [value]
            if not all(isinstance(v, (str, bool, int, float)) for v in listed):
                raise _invalid()


def _check_statement(statement: Any) -> None:
    if not isinstance(statement, dict) or not set(statement) <= _STATEMENT:
        raise _invalid()
    if statement.get("Effect") not in ("Allow", "Deny"):
        raise _invalid()
    for one, other in (("Principal", "NotPrincipal"), ("Action", "NotAction"),
                       ("Resource", "NotResource")):  # fmt: skip
        if (one in statement) == (other in statement):  # one of the two, not both
            raise _invalid()
    _check_principal(statement.get("Principal", statement.get("NotPrincipal")))
    _strings(statement.get("Action", statement.get("NotAction")))
    _strings(statement.get("Resource", statement.get("NotResource")))
    if "Sid" in statement and not isinstance(statement["Sid"], str):
        raise _invalid()
    if "Condition" in statement:
        _check_condition(statement["Condition"])


def _expanded(value: Any, api_arn: str) -> Any:
    if isinstance(value, list):
        return [_expanded(v, api_arn) for v in value]
    return api_arn + value[len(_PREFIX) :] if value.startswith(_PREFIX) else value


def checked(policy: Any, region: str, account_id: str, api_id: str) -> str | None:
    """The policy as GetRestApi answers it (None: no policy), from its JSON text or (OpenAPI)
    its document; BadRequestException for what is not a policy document."""
    if policy is None or policy == "":
        return None
    if isinstance(policy, str):
        if len(policy) > MAX_LENGTH:
            # AWS's quota; its message for it is a guess
            raise bad_request(f"Policy document exceeds the maximum length of {MAX_LENGTH}")
        try:
            document = json.loads(policy)
        except ValueError:
            raise _invalid() from None
    else:
        document = json.loads(json.dumps(policy))  # a copy, its resources rewritten below
    if not isinstance(document, dict) or not set(document) <= _TOP:
        raise _invalid()
    if document.get("Version", "2012-10-17") not in ("2012-10-17", "2008-10-17"):
        raise _invalid()
    statements: Any = document.get("Statement")
    listed: list[dict[str, Any]] = statements if isinstance(statements, list) else [statements]
    if not listed:
        raise _invalid()
    for statement in listed:
        _check_statement(statement)
    api_arn = f"arn:aws:execute-api:{region}:{account_id}:{api_id}"
    for statement in listed:
        for key in ("Resource", "NotResource"):
            if key in statement:
                statement[key] = _expanded(statement[key], api_arn)
    compact = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    return json.dumps(compact, ensure_ascii=False)[1:-1].replace("/", "\\/")


def document_of(stored: str) -> dict[str, Any]:
    """The policy document of a policy as checked() keeps it."""
    found: dict[str, Any] = json.loads(json.loads(f'"{stored}"'))
    return found
