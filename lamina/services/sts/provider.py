"""STS: GetCallerIdentity, GetSessionToken, AssumeRole, AssumeRoleWithWebIdentity and
GetAccessKeyInfo, over durable sessions (sessions.py). Roles are IAM's, read through the
in-process client (IAM GetRole), never from IAM's tables.

STS is global: a session issued at any endpoint (sts.amazonaws.com, which is us-east-1, or a
regional one) is valid in every region. Session policies (Policy, PolicyArns) are accepted
and not kept: Lamina enforces permissions only for API Gateway's AWS_IAM authorization, where
a session is allowed what its role is (README says so).
What would change who may assume a role and is not evaluated (MFA, ProvidedContexts,
trust-policy conditions other than StringEquals/StringLike on the request's keys) is refused.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

from lamina.config import Settings
from lamina.context import RequestContext
from lamina.identity import (
    ASSUMED_ROLE,
    SERVICE,
    CredentialSource,
    Identity,
    account_for,
    service_identity,
)
from lamina.protocol.errors import ServiceError
from lamina.services.internal import InternalClient
from lamina.services.registry import Provider, store_read
from lamina.services.sts import sessions, trust, webidentity
from lamina.services.sts.errors import access_denied, not_authorized, not_supported, validation
from lamina.store import Store

ROLE_ARN = re.compile(r"arn:aws:iam::(\d{12}):role/(?:[^/]+/)*([^/]+)")
DEFAULT_ROLE_DURATION = 3600
CHAINED_MAX = 3600  # a role assumed with role credentials: at most one hour
ROOT_SESSION_MAX = 3600  # GetSessionToken for an account's root: at most one hour
USER_SESSION_DEFAULT = 43200


class StsProvider(Provider):
    service_name = "sts"

    def __init__(
        self,
        store: Store,
        settings: Settings,
        internal: InternalClient,
        credentials: CredentialSource | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.internal = internal
        self.credentials = credentials  # the node's composed source, for GetAccessKeyInfo
        self.issuers = webidentity.load_issuers(settings.oidc_issuers)
        self.source = sessions.SessionCredentials(store)

    # -- who is calling ------------------------------------------------------------------

    @store_read
    def get_caller_identity(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        identity = ctx.identity
        return {"UserId": identity.user_id, "Account": identity.account_id, "Arn": identity.arn}

    @store_read
    def get_access_key_info(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key = params["AccessKeyId"]
        found = self.credentials.lookup(key) if self.credentials else None
        return {"Account": found.identity.account_id if found else account_for(key)}

    # -- sessions of the caller ----------------------------------------------------------

    def get_session_token(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        caller = ctx.identity
        if caller.session or caller.kind == SERVICE:
            raise access_denied("Cannot call GetSessionToken with session credentials")
        if params.get("SerialNumber") or params.get("TokenCode"):
            raise not_supported("MFA for GetSessionToken (SerialNumber, TokenCode)")
        duration = params.get("DurationSeconds", USER_SESSION_DEFAULT)
        if caller.root:  # AWS: a root session is one hour at most, longer asks get one hour
            duration = min(duration, ROOT_SESSION_MAX)
        with self.store.write() as conn:
            issued = sessions.issue(conn, caller, duration)
        return {"Credentials": issued.answer()}

    # -- roles ---------------------------------------------------------------------------

    def assume_role(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        caller = ctx.identity
        role_arn, name = params["RoleArn"], params["RoleSessionName"]
        for member, what in (
            ("SerialNumber", "MFA for AssumeRole (SerialNumber, TokenCode)"),
            ("TokenCode", "MFA for AssumeRole (SerialNumber, TokenCode)"),
            ("ProvidedContexts", "ProvidedContexts (trusted context assertions)"),
        ):
            if params.get(member):
                raise not_supported(what)
        caller_arn = caller.arn
        role = self.role(role_arn, ctx.region)
        if role is None:
            raise not_authorized(caller_arn, "sts:AssumeRole", role_arn)
        document = trust_document(role)
        context = {"sts:externalid": [params["ExternalId"]] if params.get("ExternalId") else []}
        tags = tuple((t["Key"], t["Value"]) for t in params.get("Tags") or [])
        needed = ["sts:AssumeRole"]
        needed += ["sts:TagSession"] if tags else []
        needed += ["sts:SetSourceIdentity"] if params.get("SourceIdentity") else []
        for action in needed:
            if not trust.allows(document, action, caller, context):
                raise not_authorized(caller_arn, action, role_arn)
        chained = caller.kind == ASSUMED_ROLE
        duration = params.get("DurationSeconds", DEFAULT_ROLE_DURATION)
        if chained and duration > CHAINED_MAX:
            raise validation(
                "The requested DurationSeconds exceeds the 1 hour session limit for roles "
                "assumed by role chaining."
            )
        check_duration(duration, role)
        identity = role_session(role, name, chained=chained, tags=tags)
        with self.store.write() as conn:
            issued = sessions.issue(conn, identity, duration, params.get("SourceIdentity"))
        answer = role_answer(issued)
        if params.get("SourceIdentity"):
            answer["SourceIdentity"] = params["SourceIdentity"]
        if tags or params.get("Policy") or params.get("PolicyArns"):
            answer["PackedPolicySize"] = packed_size(params)
        return answer

    def assume_role_with_web_identity(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        if params.get("ProviderId"):
            raise not_supported("OAuth 2.0 providers (ProviderId); configure an OIDC issuer")
        web = webidentity.verify(params["WebIdentityToken"], self.issuers)
        denied = access_denied("Not authorized to perform sts:AssumeRoleWithWebIdentity")
        role = self.role(params["RoleArn"], ctx.region)
        if role is None:
            raise denied
        account = ROLE_ARN.fullmatch(role["Arn"]).group(1)  # type: ignore[union-attr]
        issuer_id = web.issuer.id
        context = {
            f"{issuer_id}:aud".lower(): web.audiences,
            f"{issuer_id}:sub".lower(): [web.subject],
        }
        federated = web.issuer.principals(account)
        if not trust.allows(
            trust_document(role), "sts:AssumeRoleWithWebIdentity", None, context, federated
        ):
            raise denied
        duration = params.get("DurationSeconds", DEFAULT_ROLE_DURATION)
        check_duration(duration, role)
        identity = role_session(role, params["RoleSessionName"], web_identity=web.issuer.url)
        with self.store.write() as conn:
            issued = sessions.issue(conn, identity, duration)
        answer = role_answer(issued)
        answer.update(
            SubjectFromWebIdentityToken=web.subject,
            Provider=web.issuer.url,
            Audience=web.audiences[0] if web.audiences else "",
        )
        return answer

    def role(self, arn: str, region: str) -> dict[str, Any] | None:
        """IAM's GetRole answer for the role an ARN names, None when there is none."""
        match = ROLE_ARN.fullmatch(arn)
        if match is None or not self.internal.serves("iam"):
            return None
        sts = service_identity("sts.amazonaws.com", match.group(1))
        try:
            found = self.internal.call(
                "iam", "GetRole", {"RoleName": match.group(2)}, identity=sts, region=region
            )["Role"]
        except ServiceError:  # NoSuchEntity, or a name IAM would refuse
            return None
        return found if found.get("Arn") == arn else None


def trust_document(role: dict[str, Any]) -> dict[str, Any]:
    document = json.loads(unquote(role["AssumeRolePolicyDocument"]))
    assert isinstance(document, dict)
    return document


def check_duration(duration: int, role: dict[str, Any]) -> None:
    if duration > int(role.get("MaxSessionDuration", DEFAULT_ROLE_DURATION)):
        raise validation(
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
        )


def role_session(
    role: dict[str, Any],
    name: str,
    *,
    chained: bool = False,
    tags: tuple[tuple[str, str], ...] = (),
    web_identity: str | None = None,
) -> Identity:
    account = ROLE_ARN.fullmatch(role["Arn"]).group(1)  # type: ignore[union-attr]
    return Identity(
        account_id=account,
        arn=f"arn:aws:sts::{account}:assumed-role/{role['RoleName']}/{name}",
        user_id=f"{role['RoleId']}:{name}",
        kind=ASSUMED_ROLE,
        session_name=name,
        role_arn=role["Arn"],
        role_id=role["RoleId"],
        session=True,
        chained=chained,
        web_identity=web_identity,
        tags=tags,
    )


def role_answer(issued: sessions.Issued) -> dict[str, Any]:
    return {
        "Credentials": issued.answer(),
        "AssumedRoleUser": {"AssumedRoleId": issued.identity.user_id, "Arn": issued.identity.arn},
    }


def packed_size(params: dict[str, Any]) -> int:
    """PackedPolicySize: a percentage of the packed limit (AWS's packing is not public; this
    is the share of 2,048 characters the policies and tags take)."""
    size = len(params.get("Policy") or "") + sum(
        len(p["arn"]) for p in params.get("PolicyArns") or []
    )
    size += sum(len(t["Key"]) + len(t["Value"]) for t in params.get("Tags") or [])
    return max(1, min(100, size * 100 // 2048))
