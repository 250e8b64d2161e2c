"""May this signer call this API method? execute-api:Invoke on the method's ARN, decided by
the caller's identity-based policies (iam_identity_policies.py), as API Gateway decides it for
AWS_IAM authorization, with the message AWS's denial carries.

The account root may invoke anything of its own account. A caller of another account needs
the API's resource policy to allow it too: `decide` denies it (HTTP and WebSocket APIs have no
resource policy); REST APIs combine `identity_decision` with theirs
(lamina/services/apigateway/resource_policy_evaluation.py)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass

from lamina.iam_identity_policies import IdentityPolicies, Unknown
from lamina.identity import ASSUMED_ROLE, IAM_USER, ROOT, Credential, Identity

ACTION = "execute-api:Invoke"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    message: str = ""


def masked(arn: str) -> str:
    """The resource ARN as AWS's denial shows it: the account's first eight digits hidden."""
    parts = arn.split(":", 5)
    if len(parts) == 6 and len(parts[4]) == 12:
        parts[4] = "********" + parts[4][-4:]
    return ":".join(parts)


def denial(identity: Identity, resource: str, explicit: bool) -> str:
    return denial_of(identity.arn, resource, explicit)


def denial_of(who: str, resource: str, explicit: bool) -> str:
    """AWS's words for a refused execute-api:Invoke; `who`: an ARN, or `anonymous`."""
    message = f"User: {who} is not authorized to perform: {ACTION} on resource: {masked(resource)}"
    return message + " with an explicit deny" if explicit else message


def signer_identity(signer: Credential) -> dict[str, str]:
    """What requestContext.identity says of a SigV4 signer, REST and WebSocket APIs alike."""
    who = signer.identity
    return {"accessKey": signer.access_key_id, "accountId": who.account_id,
            "caller": who.user_id, "user": who.user_id, "userArn": who.arn}  # fmt: skip


def request_keys(
    source_ip: str, user_agent: str | None, referer: str | None = None
) -> dict[str, str]:
    """The global condition keys of the request itself that Lamina knows, lowercased."""
    keys = {
        "aws:sourceip": source_ip,
        "aws:securetransport": "false",  # Lamina's port speaks plain HTTP
        "aws:currenttime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "aws:epochtime": str(int(time.time())),
    }
    if user_agent:
        keys["aws:useragent"] = user_agent
    if referer:
        keys["aws:referer"] = referer
    return keys


def context_keys(identity: Identity, source_ip: str, user_agent: str | None) -> dict[str, str]:
    """The request's keys and its signer's, lowercased."""
    principal_type = {ROOT: "Account", IAM_USER: "User", ASSUMED_ROLE: "AssumedRole"}
    keys = request_keys(source_ip, user_agent)
    keys["aws:principalarn"] = identity.role_arn or identity.arn
    keys["aws:principalaccount"] = identity.account_id
    keys["aws:principaltype"] = principal_type.get(identity.kind, identity.kind)
    keys["aws:userid"] = identity.user_id
    if identity.user_name:
        keys["aws:username"] = identity.user_name
    for key, value in identity.tags:
        keys[f"aws:principaltag/{key.lower()}"] = value
    return keys


async def identity_decision(
    policies: IdentityPolicies,
    identity: Identity,
    region: str,
    resource: str,
    context: Mapping[str, str],
) -> bool | None:
    """What the caller's own policies say of execute-api:Invoke on `resource`: True allowed
    (the account root: always), False explicitly denied, None neither."""
    if identity.kind == ROOT:
        return True
    found = policies.cached(identity)
    try:
        if found is None:
            loop = asyncio.get_running_loop()
            found = await loop.run_in_executor(None, policies.of, identity, region)
    except Unknown:
        return None
    return found.decide(ACTION, resource, context) if found is not None else True


async def decide(
    policies: IdentityPolicies,
    identity: Identity,
    api_account: str,
    region: str,
    resource: str,
    context: Mapping[str, str],
) -> Verdict:
    if identity.account_id != api_account:
        return Verdict(False, denial(identity, resource, False))
    decided = await identity_decision(policies, identity, region, resource, context)
    if decided is True:
        return Verdict(True)
    return Verdict(False, denial(identity, resource, decided is False))
