"""Policy documents: IAM's grammar checks, size limits, and the URL-encoded form IAM answers.

Documents are kept as they were sent (whitespace and all) and returned URL-encoded, as IAM
does; boto3 decodes them back to a dict. The messages are AWS's (MalformedPolicyDocument):

* identity policies (managed and inline): 'Syntax errors in policy.' for what is not the
  grammar (not JSON, not an object, an unknown key, a bad Effect, Action with NotAction, …),
  'Policy document must be version 2012-10-17 or greater.' for a managed policy without that
  Version, 'Policy statement must contain actions.' / '… resources.', the vendor and colon
  rules for actions, the ARN rules for resources, and no Principal;
* trust policies (AssumeRolePolicyDocument): 'This policy contains invalid Json', STS actions
  only, no Resource, and a Principal that parses.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from lamina.services.iam.errors import limit_exceeded, malformed

VERSIONS = ("2012-10-17", "2008-10-17")
_TOP = frozenset({"Version", "Id", "Statement"})
_STATEMENT = frozenset(
    {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal"}
    | {"NotPrincipal", "Condition"}
)
_PARTITIONS = frozenset({"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e"})
_VENDOR = re.compile(r"^[A-Za-z0-9*?-]+$")
_ACCOUNT = r"\d{12}"
_AWS_PRINCIPAL = re.compile(
    rf"^(\*|{_ACCOUNT}|(AIDA|AROA)[A-Z0-9]{{17}}|"
    rf"arn:aws[a-z-]*:iam::{_ACCOUNT}:(root|user/.+|role/.+)|"
    rf"arn:aws[a-z-]*:sts::{_ACCOUNT}:(assumed-role/.+|federated-user/.+))$"
)
_SERVICE_PRINCIPAL = re.compile(
    r"^[a-z0-9][a-z0-9.-]*\.(amazonaws\.com|amazonaws\.com\.cn|amazon\.com|aws\.internal)$"
)
_FEDERATED_PRINCIPAL = re.compile(
    rf"^(arn:aws[a-z-]*:iam::{_ACCOUNT}:(saml-provider|oidc-provider)/\S+|[\w.-]+\.[a-z]+(/\S*)?)$"
)
_CANONICAL_PRINCIPAL = re.compile(r"^[0-9a-f]{64}$")
_PRINCIPALS = {
    "AWS": _AWS_PRINCIPAL,
    "Service": _SERVICE_PRINCIPAL,
    "Federated": _FEDERATED_PRINCIPAL,
    "CanonicalUser": _CANONICAL_PRINCIPAL,
}

SYNTAX = "Syntax errors in policy."


def encode(document: str) -> str:
    """The document as IAM answers it: URL-encoded."""
    return quote(document, safe="")


def parse(document: str) -> dict[str, Any]:
    """The JSON of a document already checked."""
    value = json.loads(document)
    assert isinstance(value, dict)
    return value


def compact_size(document: str) -> int:
    """IAM's size of a policy: its characters, whitespace not counted."""
    return sum(1 for ch in document if not ch.isspace())


def check_size(document: str, limit: int, message: str) -> None:
    if compact_size(document) > limit:
        raise limit_exceeded(message)


def statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    found = document["Statement"]
    return found if isinstance(found, list) else [found]


def _strings(value: Any) -> list[str] | None:
    """A string or a list of strings as a list; None when it is neither."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def _syntax(document: Any, invalid_json: str) -> dict[str, Any]:
    """The grammar every kind of policy shares: raises for anything else."""
    try:
        parsed = json.loads(document)
    except ValueError:
        raise malformed(invalid_json) from None
    if not isinstance(parsed, dict) or set(parsed) - _TOP:
        raise malformed(SYNTAX)
    if "Id" in parsed and not isinstance(parsed["Id"], str):
        raise malformed(SYNTAX)
    version = parsed.get("Version")
    if version is not None and version not in VERSIONS:
        raise malformed(SYNTAX)
    found = parsed.get("Statement")
    if isinstance(found, dict):
        found = [found]
    if not isinstance(found, list) or not found:
        raise malformed(SYNTAX)
    for statement in found:
        _statement_syntax(statement)
    return parsed


def _statement_syntax(statement: Any) -> None:
    if not isinstance(statement, dict) or set(statement) - _STATEMENT:
        raise malformed(SYNTAX)
    if statement.get("Effect") not in ("Allow", "Deny"):
        raise malformed(SYNTAX)
    for one, other in (("Action", "NotAction"), ("Resource", "NotResource")):
        if one in statement and other in statement:
            raise malformed(SYNTAX)
    if "Principal" in statement and "NotPrincipal" in statement:
        raise malformed(SYNTAX)
    for key in ("Action", "NotAction", "Resource", "NotResource"):
        if key in statement and _strings(statement[key]) is None:
            raise malformed(SYNTAX)
    if "Sid" in statement and not isinstance(statement["Sid"], str):
        raise malformed(SYNTAX)
    condition = statement.get("Condition")
    if condition is not None and not (
        isinstance(condition, dict) and all(isinstance(v, dict) for v in condition.values())
    ):
        raise malformed(SYNTAX)


def _actions(statement: dict[str, Any]) -> list[str]:
    return _strings(statement.get("Action", statement.get("NotAction"))) or []


def _check_sids(found: list[dict[str, Any]]) -> None:
    sids = [s["Sid"] for s in found if s.get("Sid")]
    if len(sids) != len(set(sids)):
        raise malformed("Statement IDs (SID) in a single policy must be unique.")


def check_identity(document: str, *, managed: bool) -> None:
    """A managed or inline policy: raises MalformedPolicyDocument as IAM does."""
    parsed = _syntax(document, SYNTAX)
    if managed and parsed.get("Version") != "2012-10-17":
        raise malformed("Policy document must be version 2012-10-17 or greater.")
    found = statements(parsed)
    if any("Principal" in s or "NotPrincipal" in s for s in found):
        raise malformed("Policy document should not specify a principal.")
    _check_sids(found)
    if any(not _actions(s) for s in found):
        raise malformed("Policy statement must contain actions.")
    for statement in found:
        resources = _strings(statement.get("Resource", statement.get("NotResource")))
        if not resources:
            raise malformed("Policy statement must contain resources.")
        for resource in resources:
            _check_resource(resource)
    for statement in found:
        for action in _actions(statement):
            _check_action(action)


def _check_action(action: str) -> None:
    if action == "*":
        return
    if ":" not in action:
        raise malformed(
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
        )
    if action.count(":") > 1:
        raise malformed("Actions/Condition can contain only one colon.")
    vendor = action.split(":", 1)[0]
    if not _VENDOR.match(vendor):
        raise malformed(f"Vendor {vendor} is not valid")


def _check_resource(resource: str) -> None:
    if resource == "*":
        return
    if not resource.startswith("arn:"):
        raise malformed(f'Resource {resource} must be in ARN format or "*".')
    parts = resource.split(":", 5)
    partition = parts[1]
    if partition not in _PARTITIONS and "*" not in partition and "?" not in partition:
        raise malformed(f'Partition "{partition}" is not valid for resource "{resource}".')
    if len(parts) < 6:
        raise malformed(f'Resource {resource} must be in ARN format or "*".')


def check_trust(document: str) -> None:
    """An AssumeRolePolicyDocument: raises MalformedPolicyDocument as IAM does."""
    parsed = _syntax(document, "This policy contains invalid Json")
    found = statements(parsed)
    for statement in found:
        for key in ("Resource", "NotResource"):
            if key in statement:
                raise malformed(f"Has prohibited field {key}")
    _check_sids(found)
    for statement in found:
        actions = _actions(statement)
        if not actions:
            raise malformed("Policy statement must contain actions.")
        for action in actions:
            if action != "*" and not action.lower().startswith("sts:"):
                raise malformed("AssumeRole policy may only specify STS AssumeRole actions.")
        if "Principal" not in statement and "NotPrincipal" not in statement:
            raise malformed("Missing required field Principal")
        _check_principal(statement.get("Principal", statement.get("NotPrincipal")))


def _check_principal(principal: Any) -> None:
    if principal == "*":
        return
    if not isinstance(principal, dict) or not principal:
        raise malformed(SYNTAX)
    for key, value in principal.items():
        values = _strings(value)
        pattern = _PRINCIPALS.get(key)
        if pattern is None or not values:
            raise malformed(f'Invalid principal in policy: "{key.upper()}":{json.dumps(value)}')
        for one in values:
            if not pattern.match(one):
                raise malformed(f'Invalid principal in policy: "{key.upper()}":"{one}"')
