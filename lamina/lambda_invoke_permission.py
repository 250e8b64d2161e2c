"""May API Gateway invoke this function? On AWS an integration (or a Lambda authorizer)
without credentials needs the function's resource-based policy to allow the service principal
apigateway.amazonaws.com lambda:InvokeFunction, its conditions (AWS:SourceArn,
AWS:SourceAccount) holding for the API's execute-api ARN; otherwise the client gets 500 and
the execution log says "Invalid permissions on Lambda function". With credentials (a role
ARN), the role must exist and trust apigateway.amazonaws.com instead.

The policy is read through Lambda's GetPolicy, the role through IAM's GetRole (the in-process
client), each kept about a second; Lambda's and IAM's changes on this node show at once.
One warning per API and function names what is missing: it is the step most often forgotten
where other emulators never asked for it."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from lamina import iam_identity_policies, iam_policy, iam_trust
from lamina.identity import root_of
from lamina.protocol.errors import ServiceError
from lamina.services.internal import InternalClient

PRINCIPAL = "apigateway.amazonaws.com"
ACTION = "lambda:InvokeFunction"
log = logging.getLogger(__name__)
_generation = [0]  # bumped by every AddPermission / RemovePermission on this node


def changed() -> None:
    _generation[0] += 1


@dataclass(slots=True)
class _Kept:
    """A policy or role read, until `expires`; and the answers worked out from it, so a
    request evaluates the same statements for the same source once a second, not each time."""

    expires: float
    generation: tuple[int, int]
    value: Any
    answers: dict[tuple[str, str], str | None] = field(default_factory=dict)


class InvokePermissions:
    def __init__(self, internal: InternalClient, ttl_s: float = 1.0, size: int = 10_000) -> None:
        self.internal = internal
        self.ttl_s = ttl_s
        self.size = size
        self._policies: dict[tuple[str, str], _Kept] = {}
        self._warned: set[tuple[str, str]] = set()

    def forget(self) -> None:
        self._policies.clear()
        self._warned.clear()

    async def refusal(
        self,
        api_id: str,
        function: str,
        source_arn: str,
        account: str,
        region: str,
        credentials: str | None = None,
    ) -> str | None:
        """None when API Gateway may invoke `function` for `source_arn`, else why not (and
        warned once per API and function)."""
        if credentials:
            why = await self._role_refusal(credentials, account, region)
        else:
            why = await self._policy_refusal(function, source_arn, account, region)
        if why is not None and (api_id, function) not in self._warned:
            if len(self._warned) >= self.size:
                self._warned.clear()
            self._warned.add((api_id, function))
            log.warning("API %s: Invalid permissions on Lambda function %s: %s",
                        api_id, function, why)  # fmt: skip
        return why

    async def _kept(self, kind: str, key: str, read: Any) -> _Kept:
        now = time.monotonic()
        generation = (_generation[0], iam_identity_policies.generation())
        entry = self._policies.get((kind, key))
        if entry is not None and entry.expires > now and entry.generation == generation:
            return entry
        entry = _Kept(now + self.ttl_s, generation, await read())
        if len(self._policies) >= self.size:
            self._policies.clear()
        self._policies[(kind, key)] = entry
        return entry

    async def _policy_refusal(
        self, function: str, source_arn: str, account: str, region: str
    ) -> str | None:
        async def read() -> list[dict[str, Any]] | str:
            try:
                answer = await self.internal.call_async(
                    "lambda", "GetPolicy", {"FunctionName": function},
                    identity=root_of(account), region=region,
                )  # fmt: skip
            except ServiceError as error:
                if error.message.startswith("Function not found"):
                    return "gone"  # the invoke answers for a deleted function, as before
                return []  # no policy at all
            statements = json.loads(answer["Policy"]).get("Statement", [])
            return statements if isinstance(statements, list) else [statements]

        kept = await self._kept("policy", function, read)
        if kept.value == "gone":
            return None
        answer_key = (source_arn, account)
        if answer_key in kept.answers:
            return kept.answers[answer_key]
        if len(kept.answers) >= self.size:
            kept.answers.clear()
        answer = kept.answers[answer_key] = _refused(kept.value, function, source_arn, account)
        return answer

    async def _role_refusal(self, role_arn: str, account: str, region: str) -> str | None:
        if role_arn.endswith(":user/*"):
            return "Lamina does not invoke with the caller's credentials (arn:aws:iam::*:user/*)"

        async def read() -> dict[str, Any] | None:
            try:
                answer = await self.internal.call_async(
                    "iam", "GetRole", {"RoleName": role_arn.rsplit("/", 1)[-1]},
                    identity=root_of(role_arn.split(":")[4] or account), region=region,
                )  # fmt: skip
            except ServiceError:
                return None
            role: dict[str, Any] = answer["Role"]
            return role

        role = (await self._kept("role", role_arn, read)).value
        if role is None or role.get("Arn") != role_arn:
            return f"the integration's credentials name no role {role_arn}"
        if iam_trust.trusts(role, PRINCIPAL):
            return None
        return f"the role {role_arn} does not trust {PRINCIPAL} (sts:AssumeRole)"


def _refused(
    statements: list[dict[str, Any]], function: str, source_arn: str, account: str
) -> str | None:
    # The policy is the function's (or its qualifier's) own: its Resource names it.
    own = [{**s, "Resource": "*"} for s in statements if isinstance(s, dict)]
    context = {"aws:sourcearn": source_arn, "aws:sourceaccount": account}
    caller = iam_policy.Caller(service=PRINCIPAL)
    if iam_policy.evaluate(own, ACTION, "*", context, caller) is True:
        return None
    return (
        f"its resource-based policy does not allow {PRINCIPAL} {ACTION} for {source_arn} "
        f"(aws lambda add-permission --function-name {function} --statement-id apigateway "
        f"--action {ACTION} --principal {PRINCIPAL} --source-arn "
        f"'{source_arn.split('/', 1)[0]}/*')"
    )
