"""GetAccount and UpdateAccount: API Gateway's settings for the caller's account in its region
(lamina/services/api_gateway_account.py keeps them for both API Gateway services).

UpdateAccount takes one patch, `/cloudwatchRoleArn`. As on AWS, the role must exist, trust
apigateway.amazonaws.com and be allowed to write CloudWatch Logs, else the role is refused and
nothing changes. The throttle shown is the account-level one Lamina enforces; AWS lets no
caller change it (a quota request raises it there; LAMINA_APIGATEWAY_ACCOUNT_RATE and
LAMINA_APIGATEWAY_ACCOUNT_BURST here)."""

from __future__ import annotations

import re
from typing import Any

from lamina import iam_trust
from lamina.config import Settings
from lamina.context import RequestContext
from lamina.iam_identity_policies import IdentityPolicies, Unknown
from lamina.identity import ASSUMED_ROLE, Identity, root_of
from lamina.protocol.errors import ServiceError
from lamina.services import api_gateway_account
from lamina.services.apigateway import patches
from lamina.services.apigateway.errors import bad_request
from lamina.services.internal import InternalClient
from lamina.store import Store

PRINCIPAL = "apigateway.amazonaws.com"
_ROLE_ARN = re.compile(r"^arn:aws:iam::(\d{12}):role/(?:[\w+=,.@/-]*/)?([\w+=,.@-]{1,64})$")
# AWS's words for a role it cannot use (CloudFormation and Terraform users quote them)
_ROLE_REFUSED = (
    "The role ARN does not have required permissions configured. Please grant trust "
    "permission for API Gateway and add the required role policy."
)
# what API Gateway does with the role: write access logs and execution logs
_LOG_ACTIONS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")


def present(settings: Settings, kept: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = {}
    if kept.get("cloudwatchRoleArn"):
        answer["cloudwatchRoleArn"] = kept["cloudwatchRoleArn"]
    answer["throttleSettings"] = {
        "burstLimit": settings.apigateway_account_burst,
        "rateLimit": settings.apigateway_account_rate,
    }
    answer["features"] = ["UsagePlans"]
    answer["apiKeyVersion"] = "4"
    return answer


class AccountOperations:
    store: Store
    settings: Settings
    internal: InternalClient

    def get_account(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            kept = api_gateway_account.settings(conn, ctx.account_id, ctx.region)
        return present(self.settings, kept)

    def update_account(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            kept = api_gateway_account.settings(conn, ctx.account_id, ctx.region)
        target = dict(kept)
        paths = {"cloudwatchRoleArn": patches.FIELD}
        patches.apply(target, params.get("patchOperations") or [], paths)
        role_arn = target.get("cloudwatchRoleArn") or None
        if role_arn is not None and role_arn != kept.get("cloudwatchRoleArn"):
            self._check_role(ctx, role_arn)
        target["cloudwatchRoleArn"] = role_arn
        config = {k: v for k, v in target.items() if v is not None}
        with self.store.write() as conn:
            api_gateway_account.save(conn, ctx.account_id, ctx.region, config)
        return present(self.settings, config)

    def _check_role(self, ctx: RequestContext, arn: str) -> None:
        """The role must be the account's, trust API Gateway and may write CloudWatch Logs."""
        match = _ROLE_ARN.match(arn)
        if match is None:
            raise bad_request(f"The role ARN is not well formed: {arn}")
        account_id, name = match.groups()
        if account_id != ctx.account_id:
            raise bad_request(_ROLE_REFUSED)
        try:
            role = self.internal.call(
                "iam", "GetRole", {"RoleName": name}, identity=root_of(account_id),
                region=ctx.region,
            )["Role"]  # fmt: skip
        except ServiceError:
            raise bad_request(_ROLE_REFUSED) from None
        if role.get("Arn") != arn or not iam_trust.trusts(role, PRINCIPAL):
            raise bad_request(_ROLE_REFUSED)
        session = Identity(
            account_id=account_id, kind=ASSUMED_ROLE, role_arn=arn, role_id=role["RoleId"],
            arn=f"arn:aws:sts::{account_id}:assumed-role/{name}/{PRINCIPAL}",
            user_id=f"{role['RoleId']}:{PRINCIPAL}",
        )  # fmt: skip
        try:
            policies = IdentityPolicies(self.internal).of(session, ctx.region)
        except Unknown:
            raise bad_request(_ROLE_REFUSED) from None
        groups = f"arn:aws:logs:{ctx.region}:{account_id}:log-group:*"
        if policies is not None and not all(
            policies.decide(action, groups) is True for action in _LOG_ACTIONS
        ):
            raise bad_request(_ROLE_REFUSED)
