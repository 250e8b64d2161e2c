"""HTTP APIs' data plane (an ExecuteApiPlane): a request to an API picks its stage (`$default`
answers without a stage segment, others at /{stage}/…), then its route (route_keys.py), and
goes, once the route's authorizer lets it (authorizers.py), to the route's integration:
AWS_PROXY invokes the Lambda function with a payload format 2.0 or 1.0 event through Lambda's
own Invoke, in-process (DESIGN decision 10), and the function's answer becomes the response;
an AWS service integration calls the service's action in-process (service_integrations.py);
HTTP_PROXY passes the request on (http_proxy.py), mapped (parameter_mapping.py).
A stage's throttling settings are enforced per route on each node (throttling.py).
The gateway answers CORS preflights itself. A stage with AccessLogSettings has a line written
for each request (lamina/services/access_logs/).

As on AWS, a function is invoked only when its resource-based policy lets
apigateway.amazonaws.com invoke it for this API, or the integration's role may
(lamina/lambda_invoke_permission.py)."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from lamina.awaiting import result_within
from lamina.edge.execute_api import ExecuteApiCall
from lamina.http_events import cors, v2, v2_response
from lamina.identity import root_of
from lamina.protocol.errors import ServiceError
from lamina.protocol.http import Headers, HttpResponse
from lamina.services.access_logs import trace as traces
from lamina.services.access_logs.writer import AccessLogs
from lamina.services.api_gateway_account import AccountThrottle
from lamina.services.apigatewayv2 import (
    authorizers,
    http_proxy,
    items,
    lambda_authorizer,
    parameter_mapping,
    payload_v1,
    response_mapping,
    route_keys,
    service_integrations,
    throttling,
)
from lamina.services.apigatewayv2.integration_operations import function_arn
from lamina.services.apigatewayv2.served import ServedApis, Stage, View
from lamina.services.internal import InternalClient
from lamina.store import Store

log = logging.getLogger(__name__)


def _message(status: int, message: str) -> HttpResponse:
    trace = traces.current.get()
    if trace is not None:  # the gateway's own answer: $context.error.message
        trace.error(message, None)
    body = json.dumps({"message": message}).encode()
    return HttpResponse(status, [("Content-Type", "application/json")], body)


def not_found() -> HttpResponse:
    return _message(404, "Not Found")


def internal_error() -> HttpResponse:
    """A function that failed, answered what the gateway cannot read, or cannot be invoked."""
    return _message(500, "Internal Server Error")


class HttpApiPlane:
    def __init__(self, store: Store, served: ServedApis, internal: InternalClient) -> None:
        self.store = store
        self.served = served
        self.internal = internal
        self.authorizers = authorizers.Authorizers(internal)
        self.throttles = throttling.Throttles()
        # the node gives it the one REST and WebSocket APIs take from too
        self.account_throttle = AccountThrottle()
        self._running: set[asyncio.Future[Any]] = set()  # invokes a timeout left behind
        self.access_logs = AccessLogs()  # the node gives it CloudWatch Logs' sink

    def owns(self, api_id: str) -> bool:
        return self.served.view(api_id) is not None

    async def serve(self, call: ExecuteApiCall) -> HttpResponse:
        if self.store.reads_wait:
            loop = asyncio.get_running_loop()
            view = await loop.run_in_executor(None, self.served.view, call.api_id)
        else:
            view = self.served.view(call.api_id)
        answer = not_found() if view is None else await self._answer(view, call)
        answer.headers.append(("apigw-requestid", call.request_id))
        return answer

    async def _answer(self, view: View, call: ExecuteApiCall) -> HttpResponse:
        api = view.api
        if call.mapped_path is None and api.config.get("DisableExecuteApiEndpoint"):
            return _message(403, "Forbidden")
        found = _stage(view, call)
        if found is None:
            return not_found()
        stage, path, raw_path = found
        if stage.access_log is None:
            return await self._staged(api, stage, path, raw_path, call)
        trace = _trace(api, stage, call, raw_path)
        token = traces.current.set(trace)
        try:
            answer = await self._staged(api, stage, path, raw_path, call)
        finally:
            traces.current.reset(token)
        trace.answered(answer)
        self.access_logs.write(stage.access_log, trace)
        return answer

    async def _staged(
        self, api: items.Api, stage: Stage, path: str, raw_path: str, call: ExecuteApiCall
    ) -> HttpResponse:
        http = call.http
        settings = api.config.get("CorsConfiguration")
        if settings and cors.is_preflight(http.method, http.headers):
            answer = cors.preflight(settings, http.headers)
            answer.status = 204
            return answer
        if stage.deployed is None:
            return not_found()
        chosen = route_keys.select(list(stage.deployed.routes), http.method, path)
        if chosen is None:
            return not_found()
        route_key, path_parameters = chosen
        trace = traces.current.get()
        if trace is not None:
            trace.values["routeKey"] = route_key
        limit = throttling.limits(stage.default_route_settings, stage.route_settings, route_key)
        if (
            limit is not None and not self.throttles.admit(api.api_id, stage.name, route_key, limit)
        ) or not self.account_throttle.admit(api.account_id, api.region):
            answer = _message(429, "Too Many Requests")
            if settings:
                cors.decorate(settings, http.headers, answer)
            return answer
        route_config = stage.deployed.routes[route_key]
        target = route_config.get("Target", "")
        integration = stage.deployed.integrations.get(target.partition("/")[2])
        if integration is None:
            return not_found()
        route = v2.Route(
            api.api_id,
            call.domain or f"{api.api_id}.execute-api.localhost",
            call.source_ip,
            call.request_id,
            route_key=route_key,
            stage=stage.name,
            account_id=api.account_id,
            path_parameters=path_parameters,
            stage_variables=stage.variables,
        )
        authorized = await self.authorizers.authorize(
            route_config,
            stage.deployed.authorizers,
            call,
            authorizers.Request(
                api.region,
                route,
                path,
                raw_path,
                integration.get("PayloadFormatVersion", "1.0"),
                stage.authorizers_reset_at,
            ),
        )
        if isinstance(authorized, HttpResponse):
            if settings:
                cors.decorate(settings, http.headers, authorized)
            return authorized
        route.authorizer = authorized
        if trace is not None and authorized is not None:
            _note_authorizer(trace, authorized)
        # what mappings read, made once for the request's mappings, and only if one needs it
        sources = functools.cache(lambda: _sources(route, path, raw_path, call))
        if integration["IntegrationType"] == "HTTP_PROXY":
            answer = await self._proxy(integration, route, path, call, sources)
        elif integration.get("IntegrationSubtype"):
            answer = await self._service(api.account_id, api.region, integration, call, sources)
        else:
            answer = await self._invoke(
                api.account_id, api.region, integration, route, call, raw_path, sources
            )
        if integration.get("ResponseParameters"):
            context = sources().context
            answer = response_mapping.apply(
                integration["ResponseParameters"], answer, context, route.stage_variables or {}
            )
        if settings:
            cors.decorate(settings, http.headers, answer)
        return answer

    async def _invoke(
        self,
        account_id: str,
        region: str,
        integration: dict[str, Any],
        route: v2.Route,
        call: ExecuteApiCall,
        raw_path: str,
        sources: Callable[[], parameter_mapping.Sources],
    ) -> HttpResponse:
        arn = function_arn(integration["IntegrationUri"])
        assert arn is not None  # checked when the integration was made
        method, _, key_path = route.route_key.partition(" ")
        source = lambda_authorizer.route_arn(
            region, account_id, route.api_id, route.stage, route.route_key, method, key_path
        )
        why = await self.authorizers.permissions.refusal(
            route.api_id, arn, source, account_id, arn.split(":")[3]
        )
        if why is not None:
            return internal_error()
        version = integration["PayloadFormatVersion"]
        request, headers, seen_path = call.http, call.raw_headers, raw_path
        mapping = integration.get("RequestParameters")
        if mapping:  # the function sees the request as mapped
            query = f"?{request.query}" if request.query else ""
            url, headers = parameter_mapping.apply(
                mapping, f"http://function{quote(raw_path, safe='/%')}{query}", headers, sources()
            )
            parts = urlsplit(url)
            if "overwrite:path" in mapping:
                seen_path = unquote(parts.path)
            request = dataclasses.replace(request, query=parts.query, headers=Headers(headers))
        if version == "2.0":
            event = v2.event(request, seen_path, route, headers)
        else:
            event = payload_v1.event(request, seen_path, route, headers)
        invoke = self.internal.call_async(
            "lambda",
            "Invoke",
            {"FunctionName": arn, "Payload": event},
            identity=root_of(account_id),
            region=arn.split(":")[3],
            request_id=call.request_id,
        )
        task = asyncio.ensure_future(invoke)
        trace = traces.current.get()
        if trace is not None:
            trace.integration_begins()
        try:
            result = await result_within(task, integration["TimeoutInMillis"] / 1000)
        except TimeoutError:  # the function runs on to its own timeout; the client is answered now
            self._running.add(task)
            task.add_done_callback(self._finished)
            return _message(503, "Service Unavailable")
        except ServiceError as error:
            log.info("HTTP API %s: invoking %s failed: %s", route.api_id, arn, error.message)
            return internal_error()
        if trace is not None:
            trace.integration_ends(None, 200)  # Lambda's own status: it ran the function
        payload, error_type = result.get("Payload") or b"", result.get("FunctionError")
        if version == "2.0":
            answer = v2_response.response(payload, error_type, internal_error)
        else:
            answer = payload_v1.response(payload, error_type, internal_error)
        if trace is not None:
            trace.values["integration.status"] = answer.status
            trace.values["integrationStatus"] = answer.status
        return answer

    async def _proxy(
        self,
        integration: dict[str, Any],
        route: v2.Route,
        path: str,
        call: ExecuteApiCall,
        sources: Callable[[], parameter_mapping.Sources],
    ) -> HttpResponse:
        path_parameters = route.path_parameters or {}
        url = http_proxy.target_url(
            integration["IntegrationUri"], route.route_key, path, path_parameters, call.http.query
        )
        headers = call.raw_headers
        mapping = integration.get("RequestParameters")
        if mapping:
            url, headers = parameter_mapping.apply(mapping, url, headers, sources())
        trace = traces.current.get()
        if trace is not None:
            trace.integration_begins()
        try:
            answer = await http_proxy.forward(
                call.http,
                url,
                integration["IntegrationMethod"],
                headers,
                call.source_ip,
                integration["TimeoutInMillis"] / 1000,
            )
        except http_proxy.ProxyTimeout:
            return _message(503, "Service Unavailable")
        except http_proxy.ProxyFailed as error:
            log.info("HTTP API %s: the HTTP integration failed: %s", call.api_id, error)
            if trace is not None:
                trace.integration_failed(str(error))
            return internal_error()
        if trace is not None:
            trace.integration_ends(answer.status, answer.status)
        return answer

    async def _service(
        self,
        account_id: str,
        region: str,
        integration: dict[str, Any],
        call: ExecuteApiCall,
        sources: Callable[[], parameter_mapping.Sources],
    ) -> HttpResponse:
        answer = service_integrations.call(
            self.internal, integration, sources(),
            account_id, region, call.request_id,
        )  # fmt: skip
        trace = traces.current.get()
        if trace is not None:
            trace.integration_begins()
        try:
            answered = await asyncio.wait_for(answer, integration["TimeoutInMillis"] / 1000)
        except TimeoutError:
            return _message(503, "Service Unavailable")
        if trace is not None:
            trace.integration_ends(answered.status, answered.status)
        return answered

    def _finished(self, task: asyncio.Future[Any]) -> None:
        self._running.discard(task)
        if not task.cancelled():
            task.exception()  # retrieved: a late failure is no one's to hear

    async def close(self) -> None:
        for task in list(self._running):
            task.cancel()


def _trace(api: items.Api, stage: Stage, call: ExecuteApiCall, raw_path: str) -> traces.Trace:
    """A request's access log trace, with what is known of it as it comes in."""
    trace = traces.Trace()
    domain = call.domain or f"{api.api_id}.execute-api.localhost"
    trace.values.update({
        "accountId": api.account_id, "apiId": api.api_id, "stage": stage.name,
        "requestId": call.request_id, "extendedRequestId": call.request_id,
        "httpMethod": call.http.method, "path": raw_path, "protocol": "HTTP/1.1",
        "domainName": domain, "domainPrefix": domain.split(".")[0],
        "identity.sourceIp": call.source_ip,
        "identity.userAgent": call.http.headers.get("user-agent"),
    })  # fmt: skip
    return trace


def _note_authorizer(trace: traces.Trace, authorized: dict[str, Any]) -> None:
    """$context.authorizer.*: a Lambda authorizer's context and principalId, a JWT's claims."""
    jwt = authorized.get("jwt", authorized if "claims" in authorized else None)
    if jwt is not None:
        claims = jwt.get("claims") or {}
        trace.values.update({f"authorizer.claims.{k}": v for k, v in claims.items()})
        return
    trace.authorized(authorized.get("principalId"), authorized.get("lambda"))


def _sources(
    route: v2.Route, path: str, raw_path: str, call: ExecuteApiCall
) -> parameter_mapping.Sources:
    """What a mapping's values read: the request, and its context as the 2.0 event gives it."""
    context = json.loads(v2.event(call.http, raw_path, route, call.raw_headers))
    return parameter_mapping.Sources(
        call.raw_headers, call.http.query_items(), path, route.path_parameters or {},
        context["requestContext"], route.stage_variables or {}, call.http.body,
    )  # fmt: skip


def _stage(view: View, call: ExecuteApiCall) -> tuple[Stage, str, str] | None:
    """(the stage, the path the routes see, the path the function sees: a named stage's
    segment kept in it, as AWS gives rawPath; through a custom domain, the path as sent, its
    mapping's key kept in it)."""
    if call.mapped_path is not None:
        mapped = view.stages.get(call.stage or "")
        return None if mapped is None else (mapped, call.path, call.mapped_path)
    if call.stage is not None:
        stage = view.stages.get(call.stage)
        if stage is None:
            return None
        raw = call.path if stage.name == route_keys.DEFAULT else f"/{stage.name}{call.path}"
        return stage, call.path, raw
    first, _, rest = call.path[1:].partition("/")
    named = view.stages.get(first) if first and first != route_keys.DEFAULT else None
    if named is not None:
        return named, "/" + rest, call.path
    default = view.stages.get(route_keys.DEFAULT)
    return (default, call.path, call.path) if default is not None else None
