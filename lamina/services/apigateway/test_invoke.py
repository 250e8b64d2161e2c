"""TestInvokeMethod and TestInvokeAuthorizer: a method, or a Lambda authorizer, run on request
from the control plane, answered with what the client would have got and an execution log
(execution_log.py).

TestInvokeMethod runs the method as the API is defined now, not as a stage serves it: the API
is snapshotted in memory as CreateDeployment would (deployments.definition(), nothing stored)
and the method's integration runs through the data plane's own code (RestApiPlane.test_invoke:
request validation, the integration and its templates, the gateway responses). As on AWS, a
test invocation skips authorization (AWS_IAM, Lambda authorizers, the resource policy) and API
keys, and its requests come from the `test-invoke-stage` stage: that is the stage the
function's resource-based policy must let API Gateway invoke it from
(`arn:aws:execute-api:{region}:{account}:{api}/test-invoke-stage/{verb}/{path}`, the
permission CDK's allowTestInvoke adds), and the one `$context.stage` names. The stage
variables are the request's stageVariables; its clientCertificateId (one of the caller's
certificates) is the one HTTP and HTTP_PROXY integrations present to https:// endpoints.

TestInvokeAuthorizer invokes a TOKEN or REQUEST authorizer's function with the event the data
plane builds from the request given (lambda_authorizers.py; never from the cache, and nothing
kept), with the function's permission checked as for the data plane's requests, and evaluates
its policy for the method ARN the event carries. clientStatus is what the client would have
got: 200 allowed, 401 unauthorized (a missing identity, or the function said "Unauthorized"),
403 denied, 500 when the function failed or may not be invoked. COGNITO_USER_POOLS authorizers
are refused: Lamina does not serve Cognito."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote, unquote

from lamina import ids
from lamina.context import RequestContext
from lamina.edge.execute_api import ExecuteApiCall
from lamina.http_events import v1
from lamina.protocol.http import Headers, HttpRequest, HttpResponse
from lamina.services.apigateway import (
    authorizers,
    client_certificates,
    deployments,
    execution_log,
    http_proxy,
    lambda_authorizers,
    resources,
    rest_apis,
)
from lamina.services.apigateway.errors import bad_request, method_not_found, not_supported
from lamina.services.apigateway.execution_log import ExecutionLog, shown_body, shown_map
from lamina.services.apigateway.methods import LAMBDA_URI
from lamina.services.apigateway.plane import Deployed, RestApiPlane
from lamina.store import Store

T = TypeVar("T")
STAGE = "test-invoke-stage"  # the stage test invocations come from, as on AWS
AUTHORIZER_STAGE = "ESTestInvoke-stage"  # the stage of a test authorizer event's methodArn
DEPLOYMENT = "test-invoke-deployment-id"
SOURCE_IP = "test-invoke-source-ip"
DOMAIN = "testPrefix.testDomainName"
# the API, the method's resource, the API's snapshot and the client certificate to present
_Definition = tuple[
    rest_apis.RestApi, resources.Resource, dict[str, Any], http_proxy.Presenting | None
]


class TestInvokeOperations:
    store: Store
    plane: RestApiPlane

    async def test_invoke_method(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        verb = params["httpMethod"]
        api, resource, snapshot, client = await self._read_now(self._definition, ctx, params)
        method = resource.methods.get(verb)
        if method is None:
            raise method_not_found()
        if "methodIntegration" not in method:
            raise bad_request("No integration defined for method")
        deployed = Deployed(api.api_id, api.account_id, api.region, snapshot)
        path, query = _path_and_query(params.get("pathWithQueryString"), resource.path)
        raw_headers = _headers(params)
        http = HttpRequest(
            verb, quote(path, safe="/%:@!$&'()*+,;=-._~"), query, Headers(raw_headers),
            (params.get("body") or "").encode(),
        )  # fmt: skip
        request_id = ids.request_id()
        call = ExecuteApiCall(http, api.api_id, STAGE, http.path, None, SOURCE_IP, request_id,
                              raw_headers)  # fmt: skip
        route = v1.Route(
            account_id=api.account_id, api_id=api.api_id, stage=STAGE,
            deployment_id=DEPLOYMENT, resource_id=resource.resource_id,
            resource_path=resource.path, domain_name=DOMAIN, source_ip=SOURCE_IP,
            request_id=request_id,
            extended_request_id=base64.b64encode(ids.random_bytes(11)).decode(),
            path_parameters=_path_parameters(resource.path, path),
            stage_variables=dict(params.get("stageVariables") or {}),
        )  # fmt: skip
        log = ExecutionLog(request_id)
        log.add(f"Starting execution for request: {request_id}")
        log.add(f"HTTP Method: {verb}, Resource Path: {path}")
        log.add(f"Method request path: {shown_map(route.path_parameters)}")
        log.add(f"Method request query string: {shown_map(dict(http.query_items()))}")
        log.add(f"Method request headers: {shown_map(dict(http.headers.items()))}")
        log.add(f"Method request body before transformations: {shown_body(http.body)}")
        started = time.perf_counter()
        token = execution_log.current.set(log)
        try:
            answer = await self.plane.test_invoke(call, path, method, route, deployed, client)
            body = await _read_body(answer)
        finally:
            execution_log.current.reset(token)
        latency = int((time.perf_counter() - started) * 1000)
        single: dict[str, str] = {}
        multi: dict[str, list[str]] = {}
        for name, value in answer.headers:
            single[name] = value
            multi.setdefault(name, []).append(value)
        log.add(f"Method response body after transformations: {shown_body(body)}")
        log.add(f"Method response headers: {shown_map(single)}")
        if answer.status < 400:
            log.add("Successfully completed execution")
        log.add(f"Method completed with status: {answer.status}")
        return {
            "status": answer.status, "body": body.decode("utf-8", errors="replace"),
            "headers": single, "multiValueHeaders": multi, "log": log.text(),
            "latency": latency,
        }  # fmt: skip

    def _definition(self, ctx: RequestContext, params: dict[str, Any]) -> _Definition:
        with self.store.read() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            resource = resources.find(conn, api.api_id, params["resourceId"])
            tree = resources.all_of(conn, api.api_id)
            known = authorizers.of_api(conn, api, api.api_id)
            client = None
            if params.get("clientCertificateId"):  # the one a stage would present
                certificate_id = params["clientCertificateId"]
                pair = client_certificates.key_pair(conn, ctx, certificate_id)
                if pair is None:
                    raise client_certificates.certificate_not_found()
                certificate = http_proxy.ClientCertificate(certificate_id, *pair)
                client = http_proxy.Presenting(self.plane.client_pools, certificate)
        return api, resource, deployments.definition(api, tree, known), client

    async def test_invoke_authorizer(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        api, authorizer = await self._read_now(self._authorizer, ctx, params)
        if authorizer["type"] == "COGNITO_USER_POOLS":
            raise not_supported(
                "COGNITO_USER_POOLS authorizers (Lamina does not serve Cognito): "
                "TestInvokeAuthorizer tests TOKEN and REQUEST authorizers"
            )
        owner = (api.account_id, api.region)
        path, query = _path_and_query(params.get("pathWithQueryString"), "/")
        raw_headers = _headers(params)
        http = HttpRequest("GET", quote(path), query, Headers(raw_headers),
                           (params.get("body") or "").encode())  # fmt: skip
        request_id = ids.request_id()
        route = v1.Route(
            account_id=api.account_id, api_id=api.api_id, stage=AUTHORIZER_STAGE,
            deployment_id=DEPLOYMENT, resource_id="", resource_path=path, domain_name=DOMAIN,
            source_ip=SOURCE_IP, request_id=request_id,
            extended_request_id=base64.b64encode(ids.random_bytes(11)).decode(),
            stage_variables=dict(params.get("stageVariables") or {}),
        )  # fmt: skip
        event = json.loads(v1.event(http, path, route, raw_headers, []))
        event["requestContext"].update(params.get("additionalContext") or {})
        arn = lambda_authorizers.method_arn(api.region, api.account_id, api.api_id,
                                            AUTHORIZER_STAGE, "GET", path)  # fmt: skip
        log = ExecutionLog(request_id)
        log.add(f"Starting authorizer: {authorizer['id']} for request: {request_id}")
        started = time.perf_counter()

        def answered(status: int, **more: Any) -> dict[str, Any]:
            latency = int((time.perf_counter() - started) * 1000)
            return {"clientStatus": status, "log": log.text(), "latency": latency, **more}

        try:
            values = lambda_authorizers.identity(authorizer, event)
        except lambda_authorizers.Unauthorized:
            log.add("The identity source is missing or empty, or the token does not match "
                    "the validation expression")  # fmt: skip
            log.add(f"Unauthorized request: {request_id}")
            return answered(401)
        log.add(f"Incoming identity: {', '.join(values)}")
        function = lambda_authorizers.function_of(authorizer, event)
        if function is not None and LAMBDA_URI.match(authorizer.get("authorizerUri") or ""):
            log.add(f"Endpoint request URI: https://lambda.{_region_of(function, api.region)}"
                    f".amazonaws.com/2015-03-31/functions/{function}/invocations")  # fmt: skip
            sent = lambda_authorizers.authorizer_event(authorizer, event, arn, values)
            log.add(f"Endpoint request body after transformations: {json.dumps(sent)}")
        why = await self.plane.access.authorizer_refusal(api.api_id, authorizer, event, owner)
        if why is not None:
            log.add("Execution failed due to configuration error: Invalid permissions on "
                    "Lambda function")  # fmt: skip
            log.add("Execution failed due to configuration error: Authorizer error")
            return answered(500)
        try:
            # a cache of its own, dropped after: a test invocation is never answered from one
            answer, _ = await lambda_authorizers.authorize(
                self.plane.internal, lambda_authorizers.Cache(), authorizer, event, arn, owner,
                api.api_id, AUTHORIZER_STAGE, request_id,
            )  # fmt: skip
        except lambda_authorizers.Unauthorized:
            log.add("The authorizer answered Unauthorized")
            log.add(f"Unauthorized request: {request_id}")
            return answered(401)
        except lambda_authorizers.Failed as failed:
            log.add(f"Execution failed due to configuration error: {failed}")
            log.add("Execution failed due to configuration error: Authorizer error")
            return answered(500)
        policy = json.dumps(answer.document)
        log.add(f"Authorizer result body: {json.dumps(_result_body(answer))}")
        decision = answer.decide(arn)
        more: dict[str, Any] = {"policy": policy}
        if answer.principal_id is not None:
            more["principalId"] = answer.principal_id
        if answer.context:
            more["authorization"] = {k: [_text(v)] for k, v in answer.context.items()}
        if decision is True:
            log.add(f"Using valid authorizer policy for principal: {answer.principal_id}")
            log.add("Successfully completed authorizer execution")
            return answered(200, **more)
        why_denied = "an explicit Deny" if decision is False else "no statement allowing it"
        log.add(f"The policy does not allow execute-api:Invoke on {arn} ({why_denied})")
        log.add(f"Access denied for principal: {answer.principal_id}")
        return answered(403, **more)

    def _authorizer(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> tuple[rest_apis.RestApi, dict[str, Any]]:
        with self.store.read() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            found = authorizers.of_api(conn, ctx, api.api_id).get(params["authorizerId"])
        if found is None:
            raise authorizers.authorizer_not_found()
        return api, found

    async def _read_now(self, read: Callable[..., T], *args: Any) -> T:
        if not self.store.reads_wait:
            return read(*args)  # SQLite: a brief read on the loop costs less than a thread
        return await asyncio.get_running_loop().run_in_executor(None, read, *args)


def _path_and_query(given: str | None, default: str) -> tuple[str, str]:
    """pathWithQueryString split (the resource's own path when none is given), decoded."""
    path, _, query = (given or default).partition("?")
    path = unquote(path) or "/"
    return (path if path.startswith("/") else "/" + path), query


def _headers(params: dict[str, Any]) -> list[tuple[str, str]]:
    """headers and multiValueHeaders as received headers: a name in both has the multiple
    values."""
    multi = params.get("multiValueHeaders") or {}
    raw = [(name, value) for name, values in multi.items() for value in values]
    named = {name.lower() for name in multi}
    raw += [(k, v) for k, v in (params.get("headers") or {}).items() if k.lower() not in named]
    return raw


def _path_parameters(template: str, path: str) -> dict[str, str]:
    """The path parameters of `path` for the resource path `template` ({id}, {proxy+})."""
    parts = [p for p in path.split("/") if p]
    found: dict[str, str] = {}
    for at, part in enumerate(p for p in template.split("/") if p):
        if part.startswith("{") and part.endswith("+}"):
            if parts[at:]:
                found[part[1:-2]] = "/".join(parts[at:])
            break
        if part.startswith("{") and at < len(parts):
            found[part[1:-1]] = parts[at]
    return found


async def _read_body(answer: HttpResponse) -> bytes:
    body = answer.body
    if answer.stream is not None:
        async for chunk in answer.stream:
            body += chunk
    return body


def _region_of(function: str, default: str) -> str:
    parts = function.split(":")
    return parts[3] if len(parts) > 4 and parts[0] == "arn" else default


def _text(value: Any) -> str:
    return json.dumps(value) if isinstance(value, bool) else str(value)


def _result_body(answer: lambda_authorizers.Answer) -> dict[str, Any]:
    shown: dict[str, Any] = {"principalId": answer.principal_id,
                             "policyDocument": answer.document}  # fmt: skip
    if answer.context:
        shown["context"] = answer.context
    return shown
