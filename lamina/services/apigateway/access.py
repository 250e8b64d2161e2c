"""Who may call a method, before its integration runs: the authorization type's check
(AWS_IAM: a valid SigV4 signature; CUSTOM: the Lambda authorizer's policy) and then, for
apiKeyRequired, the API key and its usage plan (throttle, quota, counted). What the checks
learnt (the signer, the key, the authorizer's principal and context) goes into the proxy
event's requestContext.

AWS_IAM evaluates the signer's identity-based policies for execute-api:Invoke on the method's
ARN (lamina/execute_api_invoke.py). The API's resource policy, when its deployment has one, is
evaluated with them, as AWS combines the two (resource_policy_evaluation.py). Not enforced yet,
said where it matters:
COGNITO_USER_POOLS authorizers (500 saying so)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from lamina import execute_api_invoke
from lamina.edge.execute_api import ExecuteApiCall
from lamina.iam_identity_policies import IdentityPolicies
from lamina.identity import Identity
from lamina.lambda_invoke_permission import InvokePermissions
from lamina.protocol.http import HttpResponse
from lamina.services.apigateway import access_responses as denied
from lamina.services.apigateway import gateway_responses as gateway
from lamina.services.apigateway import lambda_authorizers, usage_plans
from lamina.services.apigateway import resource_policy_evaluation as evaluation
from lamina.services.apigateway.api_key_gate import ApiKeyGate
from lamina.services.apigateway.resource_policy_evaluation import ResourcePolicy
from lamina.services.apigateway.usage import QUOTA_EXCEEDED, THROTTLED, UsageMeter
from lamina.services.internal import InternalClient
from lamina.store import Store

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class Granted:
    """What the proxy event's requestContext says of the caller."""

    identity: dict[str, Any] = field(default_factory=dict)
    authorizer: dict[str, Any] | None = None

    def stamp(self, event: bytes) -> bytes:
        if not self.identity and self.authorizer is None:
            return event
        built = json.loads(event)
        context = built["requestContext"]
        context["identity"].update(self.identity)
        if self.authorizer is not None:
            context["authorizer"] = self.authorizer
        return json.dumps(built, separators=(",", ":")).encode()


class Access:
    def __init__(self, store: Store, internal: InternalClient) -> None:
        self.store = store
        self.internal = internal
        self.keys = ApiKeyGate(store)
        self.usage = UsageMeter(store)
        self.authorizers = lambda_authorizers.Cache()
        self.policies = IdentityPolicies(internal)
        self.permissions = InvokePermissions(internal)  # the plane's integrations', too

    def forget(self) -> None:
        self.policies.forget()
        self.permissions.forget()
        self.keys.forget()
        self.usage.forget()
        self.authorizers.forget()

    async def check(
        self,
        call: ExecuteApiCall,
        method: dict[str, Any],
        snapshot: dict[str, Any],
        owner: tuple[str, str],
        stage: str,
        path: str,
        resource_path: str,
        proxy_event: Callable[[], bytes],
        policy: ResourcePolicy | None = None,
    ) -> Granted | HttpResponse:
        granted = Granted()
        usage_key: str | None = None
        kind = method.get("authorizationType", "NONE")
        verb = call.http.method
        arn = lambda_authorizers.method_arn(owner[1], owner[0], call.api_id, stage, verb, path)
        resource: bool | None = None  # what the resource policy says (None: no policy)
        if policy is not None and kind != "AWS_IAM":
            # an anonymous caller: Allow needed without authorization, else a Deny refuses
            # before any authorizer runs
            keys = evaluation.anonymous_keys(call.source_ip, call.http.headers)
            resource = policy.decide(evaluation.ANONYMOUS, arn, keys)
            if resource is False or (resource is None and kind == "NONE"):
                message = execute_api_invoke.denial_of("anonymous", arn, resource is False)
                return denied.iam_denied(message)
        if kind == "AWS_IAM":
            signed = _signer(call)
            if isinstance(signed, HttpResponse):
                return signed
            assert call.signer is not None
            refused = await self._iam(call.signer.identity, call, owner, arn, policy)
            if refused is not None:
                return refused
            granted.identity.update(signed)
        elif kind == "CUSTOM":
            authorizer = (snapshot.get("authorizers") or {}).get(method.get("authorizerId"))
            if authorizer is None:
                return gateway.internal_error()
            if authorizer["type"] == "COGNITO_USER_POOLS":
                return gateway.not_supported("COGNITO_USER_POOLS authorizers")
            event = json.loads(proxy_event())
            if await self.authorizer_refusal(call.api_id, authorizer, event, owner) is not None:
                return denied.authorizer_failed()
            try:
                answer, took = await lambda_authorizers.authorize(
                    self.internal, self.authorizers, authorizer, event, arn, owner, call.api_id,
                    stage, call.request_id,
                )  # fmt: skip
            except lambda_authorizers.Unauthorized:
                return denied.unauthorized()
            except lambda_authorizers.Failed as failed:
                log.info("REST API %s: authorizer %s: %s", call.api_id, authorizer["id"], failed)
                return denied.authorizer_failed()
            decision = evaluation.outcome(answer.decide(arn), resource, True)  # Table A
            if decision is False:
                return denied.explicit_deny()
            if decision is None:
                return denied.implicit_deny()
            granted.authorizer = {"principalId": answer.principal_id, **answer.context,
                                  "integrationLatency": took}  # fmt: skip
            usage_key = answer.usage_identifier_key
        elif kind != "NONE":
            return gateway.not_supported(f"enforcing authorizationType {kind}")
        if method.get("apiKeyRequired"):
            if snapshot.get("apiKeySource", "HEADER") == "HEADER":
                usage_key = call.http.headers.get("x-api-key")
            method_key = usage_plans.method_key(resource_path, method.get("httpMethod", verb))
            refused = await self._metered(call, owner, stage, usage_key, granted, method_key)
            if refused is not None:
                return refused
        return granted

    async def authorizer_refusal(
        self, api_id: str, authorizer: dict[str, Any], event: dict[str, Any],
        owner: tuple[str, str],
    ) -> str | None:  # fmt: skip
        """Why API Gateway may not invoke the authorizer's function (its resource-based policy,
        or the authorizer's role, does not let it), or None when it may."""
        function = lambda_authorizers.function_of(authorizer, event)
        if function is None:
            return None  # authorize() says the URI is not a function's
        source = (f"arn:aws:execute-api:{owner[1]}:{owner[0]}:{api_id}/authorizers/"
                  f"{authorizer['id']}")  # fmt: skip
        parts = function.split(":")
        region = parts[3] if len(parts) > 4 and parts[0] == "arn" else owner[1]
        return await self.permissions.refusal(
            api_id, function, source, owner[0], region, authorizer.get("authorizerCredentials")
        )

    async def _iam(
        self, who: Identity, call: ExecuteApiCall, owner: tuple[str, str], arn: str,
        policy: ResourcePolicy | None,
    ) -> HttpResponse | None:  # fmt: skip
        """The signer's IAM policies with the API's resource policy (Table A for a caller of
        the API's account, Table B for another's); the refusal, or None."""
        keys = execute_api_invoke.context_keys(
            who, call.source_ip, call.http.headers.get("user-agent")
        )
        own = await execute_api_invoke.identity_decision(self.policies, who, owner[1], arn, keys)
        resource = policy.decide(evaluation.caller_of(who), arn, keys) if policy else None
        decided = evaluation.outcome(own, resource, who.account_id == owner[0])
        if decided is True:
            return None
        return denied.iam_denied(execute_api_invoke.denial(who, arn, decided is False))

    async def _metered(self, call: ExecuteApiCall, owner: tuple[str, str], stage: str,
                       value: str | None, granted: Granted,
                       method_key: str) -> HttpResponse | None:  # fmt: skip
        if not value:
            return denied.forbidden()
        question = (owner[0], owner[1], call.api_id, stage, value)
        known, admission = self.keys.kept(question)
        if not known:
            admission = await self._read(self.keys.resolve, question)
        if admission is None:
            return denied.forbidden()
        quota = admission.plan.get("quota")
        if quota:
            counter = self.usage.quota_key(admission.plan_id, admission.key_id, quota)
            if not self.usage.knows(counter):
                await self._read(self.usage.load, counter)
        own = admission.method_throttles.get(method_key)
        method = (method_key, own) if own else None
        verdict = self.usage.admit(admission.plan_id, admission.key_id, admission.plan,
                                   time.monotonic(), method,
                                   admission.quota_limits)  # fmt: skip
        if verdict == THROTTLED:
            return denied.throttled()
        if verdict == QUOTA_EXCEEDED:
            return denied.quota_exceeded()
        granted.identity["apiKey"] = value
        granted.identity["apiKeyId"] = admission.key_id
        return None

    async def _read(self, read: Callable[..., T], *args: Any) -> T:
        if not self.store.reads_wait:
            return read(*args)  # SQLite: a brief read on the loop costs less than a thread
        return await asyncio.get_running_loop().run_in_executor(None, read, *args)


def _signer(call: ExecuteApiCall) -> dict[str, Any] | HttpResponse:
    """requestContext.identity of a SigV4 signer the edge verified, or the refusal."""
    if call.signature_error is not None:
        error = call.signature_error
        return denied.bad_signature(error.code, error.message)
    if call.signer is None:
        return gateway.missing_authentication_token()  # as AWS answers an unsigned call
    return execute_api_invoke.signer_identity(call.signer)
