"""A route's authorizer, run before its integration: JWT (jwt_authorizer.py), a Lambda
function (lambda_authorizer.py), or AWS_IAM (a SigV4 signature the edge verified, and the
signer's policies allowing execute-api:Invoke on the route, lamina/execute_api_invoke.py).
Either the request goes on, with what the authorizer found
for requestContext.authorizer, or the gateway answers: 401 {"message":"Unauthorized"} (no or a
bad token, an identity source missing), 403 {"message":"Forbidden"} (denied, or a scope
missing), 500 when a Lambda authorizer fails."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any

from lamina import execute_api_invoke
from lamina.edge.execute_api import ExecuteApiCall
from lamina.http_events import v2
from lamina.iam_identity_policies import IdentityPolicies
from lamina.lambda_invoke_permission import InvokePermissions
from lamina.protocol.http import HttpResponse
from lamina.services.apigatewayv2 import lambda_authorizer, payload_v1
from lamina.services.apigatewayv2.integration_operations import function_arn
from lamina.services.apigatewayv2.jwt_authorizer import JwtVerifier, Refused
from lamina.services.internal import InternalClient

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Request:
    """What an authorizer sees of one request, beside the call itself."""

    region: str
    route: v2.Route  # with the route key, stage, path parameters
    path: str  # the path the routes see (a named stage's segment left out)
    raw_path: str  # the path the function sees
    payload_format: str  # the integration's: where the authorizer's findings go
    cache_reset_at: float = 0.0  # the stage's last ResetAuthorizersCache (wall clock)


def _message(status: int, message: str, challenge: str | None = None) -> HttpResponse:
    headers = [("Content-Type", "application/json")]
    if challenge:
        headers.append(("www-authenticate", challenge))
    return HttpResponse(status, headers, json.dumps({"message": message}).encode())


def unauthorized(challenge: str | None = None) -> HttpResponse:
    return _message(401, "Unauthorized", challenge)


def forbidden(challenge: str | None = None) -> HttpResponse:
    return _message(403, "Forbidden", challenge)


class Authorizers:
    def __init__(self, internal: InternalClient) -> None:
        self.internal = internal
        self.jwt = JwtVerifier()
        self.cache = lambda_authorizer.Cache()
        self.policies = IdentityPolicies(internal)
        self.permissions = InvokePermissions(internal)  # the plane's integrations', too

    async def authorize(
        self,
        route_config: dict[str, Any],
        authorizers: dict[str, dict[str, Any]],
        call: ExecuteApiCall,
        request: Request,
    ) -> dict[str, Any] | HttpResponse | None:
        """requestContext.authorizer for the integration's event (None: no authorizer), or
        the gateway's answer."""
        kind = route_config.get("AuthorizationType", "NONE")
        if kind == "NONE":
            return None
        if kind == "AWS_IAM":
            return await self._iam(call, request)
        settings = authorizers.get(route_config.get("AuthorizerId", ""))
        if settings is None:  # deleted after this deployment: nothing can let it in
            return unauthorized()
        if kind == "JWT":
            return await self._jwt(settings, route_config.get("AuthorizationScopes") or [],
                                   call, request)  # fmt: skip
        return await self._lambda(route_config["AuthorizerId"], settings, call, request)

    async def _iam(self, call: ExecuteApiCall, request: Request) -> dict[str, Any] | HttpResponse:
        if call.signature_error is not None:
            error = call.signature_error
            return _message(403, error.message)
        if call.signer is None:
            return forbidden()  # an unsigned request, as HTTP APIs answer it
        route = request.route
        who = call.signer.identity
        arn = lambda_authorizer.route_arn(
            request.region, route.account_id, route.api_id, route.stage, "",
            call.http.method, request.path,
        )  # fmt: skip
        keys = execute_api_invoke.context_keys(
            who, call.source_ip, call.http.headers.get("user-agent")
        )
        verdict = await execute_api_invoke.decide(
            self.policies, who, route.account_id, request.region, arn, keys
        )
        if not verdict.allowed:
            log.info("HTTP API %s: %s", route.api_id, verdict.message)
            return forbidden()
        return {"iam": {
            "accessKey": call.signer.access_key_id, "accountId": who.account_id,
            "callerId": who.user_id, "cognitoIdentity": None, "principalOrgId": None,
            "userArn": who.arn, "userId": who.user_id,
        }}  # fmt: skip

    async def _jwt(
        self,
        settings: dict[str, Any],
        scopes: list[str],
        call: ExecuteApiCall,
        request: Request,
    ) -> dict[str, Any] | HttpResponse:
        source = settings["IdentitySource"][0]
        token = None
        if source.startswith("$request.header."):
            token = call.http.headers.get(source[len("$request.header.") :])
        elif source.startswith("$request.querystring."):
            name = source[len("$request.querystring.") :]
            token = next((v for k, v in call.http.query_items() if k == name), None)
        loop = asyncio.get_running_loop()
        found = await loop.run_in_executor(
            None, self.jwt.verify, token, settings["JwtConfiguration"], scopes
        )
        if isinstance(found, Refused):
            return (unauthorized if found.status == 401 else forbidden)(found.challenge)
        return {"jwt": found} if request.payload_format == "2.0" else found

    async def _lambda(
        self,
        authorizer_id: str,
        settings: dict[str, Any],
        call: ExecuteApiCall,
        request: Request,
    ) -> dict[str, Any] | HttpResponse:
        route = request.route
        event_2_0 = v2.event(call.http, request.raw_path, route, call.raw_headers)
        context = json.loads(event_2_0)["requestContext"]
        values = lambda_authorizer.identity_values(
            settings["IdentitySource"], call.http, context, route.stage_variables or {}
        )
        if values is None:
            return unauthorized()
        arn = lambda_authorizer.route_arn(
            request.region, route.account_id, route.api_id, route.stage, route.route_key,
            call.http.method, request.path,
        )  # fmt: skip
        ttl = settings["AuthorizerResultTtlInSeconds"]
        payload = (
            self.cache.get(authorizer_id, settings, values, request.cache_reset_at) if ttl else None
        )
        try:
            if payload is None:
                payload = await self._invoke(
                    settings, call, request, event_2_0, arn, values, authorizer_id
                )
                if ttl:
                    self.cache.put(authorizer_id, settings, values, payload)
            decision = lambda_authorizer.decide(payload, settings["EnableSimpleResponses"], arn)
        except lambda_authorizer.AuthorizerFailed as error:
            log.info("HTTP API %s: authorizer %s failed: %s", route.api_id, authorizer_id, error)
            return _message(500, "Internal Server Error")
        if not decision.allowed:
            return forbidden()
        found: dict[str, Any] = {"lambda": decision.context or {}}
        if decision.principal_id is not None:
            found["principalId"] = decision.principal_id
        return found

    async def _invoke(
        self,
        settings: dict[str, Any],
        call: ExecuteApiCall,
        request: Request,
        event_2_0: bytes,
        arn: str,
        values: list[str],
        authorizer_id: str,
    ) -> bytes:
        if settings["AuthorizerPayloadFormatVersion"] == "2.0":
            event = lambda_authorizer.event_2_0(event_2_0, arn, values)
        else:
            built = payload_v1.event(call.http, request.raw_path, request.route, call.raw_headers)
            event = lambda_authorizer.event_1_0(built, arn, values)
        function = function_arn(settings["AuthorizerUri"])
        assert function is not None  # checked when the authorizer was made
        route = request.route
        where = (request.region, route.account_id, route.api_id, authorizer_id)
        return await lambda_authorizer.invoke(
            self.internal, self.permissions, function, event, where, call.request_id
        )
