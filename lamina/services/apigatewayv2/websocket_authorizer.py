"""Who may open a WebSocket connection: the `$connect` route's authorization, decided before
the upgrade completes (https://docs.aws.amazon.com/apigateway/latest/developerguide/
apigateway-websocket-api-lambda-auth.html). CUSTOM: a REQUEST Lambda authorizer gets the
upgrade request (type REQUEST, methodArn `…/{stage}/$connect`, headers, query string, stage
variables, requestContext of the CONNECT event) and answers an IAM policy, evaluated for
execute-api:Invoke on the methodArn. AWS_IAM: the upgrade request is SigV4-signed (headers,
or a presigned query string) by a caller whose policies allow execute-api:Invoke on it.

The answer is what requestContext.authorizer says for the connection's every event, or a
refusal: 401 (an identity source missing), 403 (denied), 500 (the authorizer failed)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from lamina import execute_api_invoke
from lamina.edge.execute_api import ExecuteApiCall
from lamina.iam_identity_policies import IdentityPolicies
from lamina.lambda_invoke_permission import InvokePermissions
from lamina.services.apigatewayv2 import lambda_authorizer
from lamina.services.apigatewayv2.integration_operations import function_arn
from lamina.services.internal import InternalClient

log = logging.getLogger(__name__)

# WebSocket's identity sources, in the words lambda_authorizer.identity_values reads
_SOURCES = {
    "route.request.header.": "$request.header.",
    "route.request.querystring.": "$request.querystring.",
    "stageVariables.": "$stageVariables.",
    "context.": "$context.",
}


@dataclass(frozen=True)
class Refused:
    status: int
    message: str


@dataclass(frozen=True)
class Signed:
    """An AWS_IAM `$connect` let in: the signer, requestContext.identity of every event."""

    identity: dict[str, str]


@dataclass(frozen=True)
class Connect:
    """What a `$connect` authorizer sees of the upgrade."""

    region: str
    account_id: str
    api_id: str
    stage: str
    stage_variables: dict[str, str]
    event: bytes  # the CONNECT event the `$connect` integration gets


def method_arn(connect: Connect) -> str:
    return (f"arn:aws:execute-api:{connect.region}:{connect.account_id}:{connect.api_id}/"
            f"{connect.stage}/$connect")  # fmt: skip


def authorizer_event(connect: Connect) -> bytes:
    """The CONNECT event without its body flag, as a REQUEST authorizer's input."""
    event = json.loads(connect.event)
    event.pop("isBase64Encoded", None)
    event = {"type": "REQUEST", "methodArn": method_arn(connect), **event,
             "stageVariables": connect.stage_variables or None}  # fmt: skip
    return json.dumps(event).encode()


class ConnectAuthorizers:
    def __init__(self, internal: InternalClient, permissions: InvokePermissions) -> None:
        self.internal = internal
        self.permissions = permissions
        self.policies = IdentityPolicies(internal)

    async def authorize(
        self,
        route: dict[str, Any],
        authorizers: dict[str, dict[str, Any]],
        call: ExecuteApiCall,
        connect: Connect,
    ) -> dict[str, Any] | Signed | Refused | None:
        """requestContext.authorizer for the connection (None: nothing to add), the signer an
        AWS_IAM route let in, or a refusal."""
        kind = route.get("AuthorizationType", "NONE")
        if kind == "NONE":
            return None
        if kind == "AWS_IAM":
            return await self._iam(call, connect)
        authorizer_id = route.get("AuthorizerId", "")
        settings = authorizers.get(authorizer_id)
        if settings is None:  # deleted after this deployment: nothing can let it in
            return Refused(401, "Unauthorized")
        return await self._lambda(authorizer_id, settings, call, connect)

    async def _iam(self, call: ExecuteApiCall, connect: Connect) -> Signed | Refused:
        if call.signature_error is not None:
            return Refused(403, call.signature_error.message)
        if call.signer is None:
            return Refused(403, "Forbidden")
        who = call.signer.identity
        keys = execute_api_invoke.context_keys(
            who, call.source_ip, call.http.headers.get("user-agent")
        )
        verdict = await execute_api_invoke.decide(
            self.policies, who, connect.account_id, connect.region, method_arn(connect), keys
        )
        if not verdict.allowed:
            log.info("WebSocket API %s: %s", connect.api_id, verdict.message)
            return Refused(403, "Forbidden")
        return Signed(execute_api_invoke.signer_identity(call.signer))

    async def _lambda(
        self, authorizer_id: str, settings: dict[str, Any], call: ExecuteApiCall,
        connect: Connect,
    ) -> dict[str, Any] | Refused:  # fmt: skip
        context = json.loads(connect.event)["requestContext"]
        sources = [_spelled(source) for source in settings["IdentitySource"]]
        values = lambda_authorizer.identity_values(
            sources, call.http, context, connect.stage_variables
        )
        if values is None:
            return Refused(401, "Unauthorized")
        arn = method_arn(connect)
        try:
            payload = await self._invoke(authorizer_id, settings, call, connect)
            decision = lambda_authorizer.decide(payload, False, arn)
        except lambda_authorizer.AuthorizerFailed as error:
            log.info("WebSocket API %s: authorizer %s failed: %s",
                     connect.api_id, authorizer_id, error)  # fmt: skip
            return Refused(500, "Internal server error")
        if not decision.allowed:
            return Refused(403, "Forbidden")
        # as REST APIs give it: the context's keys beside principalId
        found: dict[str, Any] = dict(decision.context or {})
        if decision.principal_id is not None:
            found["principalId"] = decision.principal_id
        return found

    async def _invoke(
        self, authorizer_id: str, settings: dict[str, Any], call: ExecuteApiCall,
        connect: Connect,
    ) -> bytes:  # fmt: skip
        function = function_arn(settings["AuthorizerUri"])
        assert function is not None  # checked when the authorizer was made
        where = (connect.region, connect.account_id, connect.api_id, authorizer_id)
        return await lambda_authorizer.invoke(
            self.internal, self.permissions, function, authorizer_event(connect), where,
            call.request_id,
        )  # fmt: skip


def _spelled(source: str) -> str:
    for websocket, http in _SOURCES.items():
        if source.startswith(websocket):
            return http + source[len(websocket) :]
    return source
