"""Execution roles: checked at CreateFunction and UpdateFunctionConfiguration, assumed for
each new execution environment, through IAM and STS in-process (never their tables).

An account that IAM holds no role for keeps Lamina's first behaviour: any well-formed role
ARN is accepted, and its functions run with the account's root-style credentials (with
signature checking on, a real GetSessionToken session of that root, so they can sign). Once
the account has roles, the role must be the account's own, exist, and trust
lambda.amazonaws.com; a role deleted afterwards (allowed, as on AWS) fails the next cold
start, since Lambda can no longer assume it.

An environment gets a session of its role named after the function, for the role's
MaxSessionDuration; the pool retires environments before those credentials expire.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

from lamina.config import Settings
from lamina.context import RequestContext
from lamina.execution.environment import InitError
from lamina.execution.function import FunctionSnapshot, RoleCredentials
from lamina.identity import root_of, service_identity
from lamina.protocol.errors import ServiceError
from lamina.services.internal import InternalClient
from lamina.services.lambda_.errors import invalid_parameter

LAMBDA_PRINCIPAL = "lambda.amazonaws.com"
CANNOT_ASSUME = "The role defined for the function cannot be assumed by Lambda."
_ROLE_ARN = re.compile(r"arn:aws[a-zA-Z-]*:iam::(\d{12}):role/(?:[^/]+/)*([^/]+)")


class ExecutionRoles:
    def __init__(self, internal: InternalClient | None, settings: Settings) -> None:
        self.internal = internal
        self.settings = settings

    @property
    def enabled(self) -> bool:
        return self.internal is not None and self.internal.serves("iam")

    def check(self, ctx: RequestContext, arn: str) -> None:
        """CreateFunction / UpdateFunctionConfiguration: the role Lambda will assume."""
        if not self.enabled:
            return
        role = self.role(arn, ctx.region)
        if role is not None:
            if _ROLE_ARN.fullmatch(arn).group(1) == ctx.account_id and trusts_lambda(role):  # type: ignore[union-attr]
                return
            raise invalid_parameter(CANNOT_ASSUME)
        if self.account_has_roles(ctx.account_id, ctx.region):
            raise invalid_parameter(CANNOT_ASSUME)

    def credentials(self, function: FunctionSnapshot) -> RoleCredentials | None:
        """A session of the function's role for a new environment (blocking)."""
        if not self.enabled:
            return None
        assert self.internal is not None
        role = self.role(function.role, function.region)
        if role is None:
            if self.account_has_roles(function.account_id, function.region):
                raise _cannot_assume()
            return self.root_session(function)
        lambda_ = service_identity(LAMBDA_PRINCIPAL, function.account_id)
        params = {
            "RoleArn": role["Arn"],
            "RoleSessionName": function.name,
            "DurationSeconds": int(role.get("MaxSessionDuration", 3600)),
        }
        try:
            answer = self.internal.call(
                "sts", "AssumeRole", params, identity=lambda_, region=function.region
            )
        except ServiceError as error:
            raise _cannot_assume(error.message) from None
        return _role_credentials(answer["Credentials"])

    def root_session(self, function: FunctionSnapshot) -> RoleCredentials | None:
        """No role to assume: the root-style defaults, signed for real when signatures are
        checked (a GetSessionToken session of the account's root)."""
        if not self.settings.verify_signatures or self.internal is None:
            return None
        root = root_of(function.account_id)
        answer = self.internal.call(
            "sts", "GetSessionToken", {"DurationSeconds": 3600}, identity=root,
            region=function.region,
        )  # fmt: skip
        return _role_credentials(answer["Credentials"])

    def role(self, arn: str, region: str) -> dict[str, Any] | None:
        match = _ROLE_ARN.fullmatch(arn or "")
        if match is None or self.internal is None:
            return None
        lambda_ = service_identity(LAMBDA_PRINCIPAL, match.group(1))
        try:
            found = self.internal.call(
                "iam", "GetRole", {"RoleName": match.group(2)}, identity=lambda_, region=region
            )["Role"]
        except ServiceError:
            return None
        return found if found.get("Arn") == arn else None

    def account_has_roles(self, account_id: str, region: str) -> bool:
        assert self.internal is not None
        lambda_ = service_identity(LAMBDA_PRINCIPAL, account_id)
        answer = self.internal.call(
            "iam", "ListRoles", {"MaxItems": 1}, identity=lambda_, region=region
        )
        return bool(answer.get("Roles"))


def trusts_lambda(role: dict[str, Any]) -> bool:
    """Whether an Allow statement of the trust policy lets lambda.amazonaws.com assume it."""
    document = json.loads(unquote(role["AssumeRolePolicyDocument"]))
    statements = document.get("Statement", [])
    for statement in statements if isinstance(statements, list) else [statements]:
        if statement.get("Effect") != "Allow":
            continue
        actions = statement.get("Action", [])
        actions = actions if isinstance(actions, list) else [actions]
        if not any(a in ("sts:AssumeRole", "sts:*", "*") for a in actions):
            continue
        principal = statement.get("Principal")
        if principal == "*":
            return True
        services = principal.get("Service", []) if isinstance(principal, dict) else []
        if LAMBDA_PRINCIPAL in (services if isinstance(services, list) else [services]):
            return True
    return False


def _cannot_assume(detail: str | None = None) -> InitError:
    message = CANNOT_ASSUME if not detail else f"{CANNOT_ASSUME} {detail}"
    return InitError({"errorType": "InvalidParameterValueException", "errorMessage": message}, 0.0)


def _role_credentials(credentials: dict[str, Any]) -> RoleCredentials:
    expiration = credentials["Expiration"]
    return RoleCredentials(
        credentials["AccessKeyId"],
        credentials["SecretAccessKey"],
        credentials["SessionToken"],
        float(expiration) if isinstance(expiration, int | float) else None,
    )
