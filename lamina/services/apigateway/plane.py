"""REST APIs' data plane: `/{stage}/{path}` of a deployed stage, matched against the stage's
deployment (routing.py), answered by the method's integration: AWS_PROXY invokes the Lambda
function with the 1.0 proxy event through Lambda's own Invoke (the one in-process call path),
MOCK, HTTP and AWS (Lambda non-proxy, SQS SendMessage) integrations go through their mapping
templates (templates.py, vtl.py, http_integration.py, aws_integrations.py), HTTP_PROXY passes
the request through to its URL (http_proxy.py). Who may call a method (AWS_IAM, Lambda
authorizers, API keys and usage plans, the API's resource policy) is access.py's question,
asked first; then the method's request validator (validators.py). Between the two, the
stage's method settings' throttle (method_settings.py), after a usage plan's as AWS orders
them: a token bucket per stage and method on each node, so a fleet of N nodes lets N times
the limit through. A stage's canary takes its percentTraffic share of requests, at random
(canaries.py). Bodies are converted between text and binary as contentHandling and
binaryMediaTypes say (content_handling.py); a stage with access log settings has a line
written for each request (lamina/services/access_logs/).

As on AWS, a function is invoked only when its resource-based policy lets
apigateway.amazonaws.com invoke it for this API, or the integration's role may
(lamina/lambda_invoke_permission.py)."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import logging
import random
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote

from lamina import ids
from lamina.awaiting import result_within
from lamina.edge.execute_api import ExecuteApiCall, forbidden
from lamina.http_events import v1, v1_response
from lamina.identity import service_identity
from lamina.lambda_invoke_permission import InvokePermissions
from lamina.protocol.errors import ServiceError
from lamina.protocol.http import HttpResponse
from lamina.services.access_logs import trace as traces
from lamina.services.access_logs.settings import AccessLog
from lamina.services.access_logs.writer import AccessLogs
from lamina.services.api_gateway_account import AccountThrottle
from lamina.services.apigateway import access_responses as denied
from lamina.services.apigateway import (
    account_items,
    aws_integrations,
    client_certificates,
    content_handling,
    deployments,
    execution_log,
    gateway_response_settings,
    http_integration,
    http_proxy,
    method_settings,
    resource_policy_evaluation,
    rest_apis,
    stages,
    templates,
    vtl,
)
from lamina.services.apigateway import gateway_responses as gateway
from lamina.services.apigateway.access import Access, Granted
from lamina.services.apigateway.methods import LAMBDA_URI
from lamina.services.apigateway.routing import Router
from lamina.services.apigateway.validators import Checks
from lamina.services.internal import InternalClient
from lamina.store import Store
from lamina.token_bucket import Buckets

log = logging.getLogger(__name__)
T = TypeVar("T")
_STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")
_CACHED_DEPLOYMENTS = 1024


# How long a node serves a stage as it read it: its own changes are seen at once (the
# operations forget what they change), another node's within this long (AWS, too, takes
# seconds to make a deployment live).
STAGE_TTL_S = 1.0
ABSENT_TTL_S = 1.0
MAX_PAYLOAD = 10 * 1024 * 1024  # REST APIs' payload quota
PRINCIPAL = "apigateway.amazonaws.com"


class Deployed:
    """A deployment as the data plane serves it (immutable: cached by its id)."""

    def __init__(self, api_id: str, account_id: str, region: str, snapshot: dict[str, Any]) -> None:
        self.account_id = account_id
        self.region = region
        self.checks = Checks(api_id, snapshot)
        self.binary_media_types: list[str] = snapshot.get("binaryMediaTypes") or []
        # apiKeySource and authorizers, for access.py
        self.access = {k: snapshot.get(k) for k in ("apiKeySource", "authorizers")}
        self.router = Router(snapshot["resources"])
        self.gateway_responses: dict[str, Any] = snapshot.get("gatewayResponses") or {}
        # the execute-api endpoint answers 403; custom domain names still serve the API
        self.default_endpoint_disabled = bool(snapshot.get("disableExecuteApiEndpoint"))
        self.policy = resource_policy_evaluation.parsed(snapshot.get("policy"))


Release = tuple[Deployed, str, dict[str, str]]  # a deployment, its id, the stage variables


@dataclasses.dataclass(frozen=True)
class Serving:
    """A stage as the data plane serves it: its deployment, its canary's, its throttles."""

    main: Release
    canary: Release | None
    percent: float  # of requests the canary takes
    method_settings: dict[str, dict[str, Any]]
    access_log: AccessLog | None
    client: http_proxy.Presenting | None  # the client certificate its integrations present

    def pick(self) -> tuple[Release, bool]:
        if self.canary is not None and random.random() * 100.0 < self.percent:
            return self.canary, True
        return self.main, False


class RestApiPlane:
    def __init__(
        self, store: Store, internal: InternalClient, known: set[str], data_dir: Path
    ) -> None:
        self.store = store
        self.internal = internal
        self.access = Access(store, internal)
        self.permissions: InvokePermissions = self.access.permissions
        self.known = known
        # ids found to be no REST API's (an HTTP API's, most often: the edge asks this plane
        # first on each of their requests), for a second: another node's new API is seen then
        self.absent: dict[str, float] = {}
        self.deployed: dict[tuple[str, str], Deployed] = {}
        self.stages: dict[tuple[str, str], tuple[float, Serving | None]] = {}
        self.access_logs = AccessLogs()  # the node gives it CloudWatch Logs' sink
        self.throttles = Buckets()  # (api, stage, method setting key) → its bucket
        # the node gives it the one HTTP and WebSocket APIs take from too
        self.account_throttle = AccountThrottle()
        # stages' client certificates, written where only the node's user reads them
        self.client_pools = http_proxy.ClientPools(data_dir / "apigateway-client-certificates")

    def owns(self, api_id: str) -> bool:
        if api_id in self.known:
            return True
        now = time.monotonic()
        if now - self.absent.get(api_id, -ABSENT_TTL_S) < ABSENT_TTL_S:
            return False
        with self.store.read() as conn:
            found = rest_apis.exists(conn, api_id)
        if found:
            self.known.add(api_id)
        else:
            if len(self.absent) > 10_000:  # ids probed at random must not grow it forever
                self.absent.clear()
            self.absent[api_id] = now
        return found

    def forget(self) -> None:
        self.access.forget()
        self.known.clear()
        self.absent.clear()
        self.deployed.clear()
        self.stages.clear()
        self.throttles.forget()
        self.account_throttle.forget()

    def forget_stages(self, api_id: str) -> None:
        """An API's stages changed here: read them anew."""
        for key in [key for key in self.stages if key[0] == api_id]:
            self.stages.pop(key, None)

    async def serve(self, call: ExecuteApiCall) -> HttpResponse:
        answer = await self._serve(call)
        answer.headers.append(("x-amzn-RequestId", call.request_id))
        return answer

    async def _serve(self, call: ExecuteApiCall) -> HttpResponse:
        raw = call.path.split("/")[1:]  # after the leading slash
        stage = call.stage
        if stage is None:
            stage, raw = (unquote(raw[0]) if raw else ""), raw[1:]
        parts = [unquote(part) for part in raw]
        serving = await self._stage(call.api_id, stage) if stage else None
        if serving is None:
            return gateway.missing_authentication_token()
        (deployed, deployment_id, variables), is_canary = serving.pick()
        if deployed.default_endpoint_disabled and call.mapped_path is None:
            return forbidden()
        extended_id = base64.b64encode(ids.random_bytes(11)).decode()
        route = v1.Route(
            account_id=deployed.account_id, api_id=call.api_id, stage=stage,
            deployment_id=deployment_id, resource_id="", resource_path="",
            domain_name=call.domain or f"{call.api_id}.execute-api.localhost",
            source_ip=call.source_ip, request_id=call.request_id,
            extended_request_id=extended_id, stage_variables=variables,
            stage_in_path=call.mapped_path is None, is_canary=is_canary,
        )  # fmt: skip
        trace = _trace(call, route, stage) if serving.access_log is not None else None
        token = traces.current.set(trace)
        try:
            answer = await self._routed(
                call, parts, route, deployed, serving.method_settings, serving.client
            )
        finally:
            traces.current.reset(token)
        if trace is not None and isinstance(answer, gateway.GatewayAnswer):
            trace.error(answer.message, answer.response_type)
        # the gateway's own answers as the deployment's gateway responses have them
        answer = gateway_response_settings.customized(
            answer, deployed.gateway_responses, call.http, route
        )
        answer.headers.append(("x-amz-apigw-id", extended_id))
        if trace is not None and serving.access_log is not None:
            trace.answered(answer)
            self.access_logs.write(serving.access_log, trace)
        return answer

    async def _routed(
        self, call: ExecuteApiCall, parts: list[str], route: v1.Route, deployed: Deployed,
        settings: dict[str, dict[str, Any]], client: http_proxy.Presenting | None,
    ) -> HttpResponse:  # fmt: skip
        found = deployed.router.match(parts)
        if found is None:
            return gateway.missing_authentication_token()
        if len(call.http.body) > MAX_PAYLOAD:
            return gateway.request_too_large()
        methods = found.resource["methods"]
        verb = call.http.method if call.http.method in methods else "ANY"
        method = methods.get(verb)
        if method is None:
            return gateway.missing_authentication_token()
        limit = method_settings.throttle_of(settings, found.resource["path"], verb)
        throttle = None
        if limit is not None:
            key = (call.api_id, route.stage, method_settings.key_of(found.resource["path"], verb))
            throttle = (key, limit)
        route = dataclasses.replace(
            route, resource_id=found.resource["id"], resource_path=found.resource["path"],
            path_parameters=found.path_parameters,
        )  # fmt: skip
        trace = traces.current.get()
        if trace is not None:
            trace.values["resourceId"] = route.resource_id
            trace.values["resourcePath"] = route.resource_path
        return await self._answer(
            call, "/" + "/".join(parts), method, route, deployed, throttle, client
        )

    async def _answer(
        self,
        call: ExecuteApiCall,
        path: str,
        method: dict[str, Any],
        route: v1.Route,
        deployed: Deployed,
        throttle: tuple[tuple[str, str, str], tuple[float, int]] | None,
        client: http_proxy.Presenting | None,
    ) -> HttpResponse:
        proxy_event = _event_maker(call, path, route, deployed)
        granted: Granted | None = None
        if (
            method.get("authorizationType", "NONE") != "NONE"
            or method.get("apiKeyRequired")
            or deployed.policy is not None
        ):
            checked = await self.access.check(
                call, method, deployed.access, (deployed.account_id, deployed.region),
                route.stage, path, route.resource_path, proxy_event, deployed.policy,
            )  # fmt: skip
            if isinstance(checked, HttpResponse):
                return checked
            granted = checked
            _note_granted(granted)
        # the stage's method throttle after the usage plan's, in the order AWS applies them
        if throttle is not None and not self.throttles.admit(*throttle, time.monotonic()):
            return denied.throttled()
        if not self.account_throttle.admit(deployed.account_id, deployed.region):
            return denied.throttled()
        return await self._integrate(call, path, method, route, deployed, granted, client)

    async def test_invoke(
        self, call: ExecuteApiCall, path: str, method: dict[str, Any], route: v1.Route,
        deployed: Deployed, client: http_proxy.Presenting | None = None,
    ) -> HttpResponse:  # fmt: skip
        """TestInvokeMethod: the method of an in-memory snapshot run as the stage's requests
        are, after their access checks (skipped, as AWS skips authorization and API keys for
        test invocations): request validation, the integration, the gateway responses."""
        token = traces.current.set(None)
        try:
            answer = await self._integrate(call, path, method, route, deployed, None, client)
        finally:
            traces.current.reset(token)
        return gateway_response_settings.customized(
            answer, deployed.gateway_responses, call.http, route
        )

    async def _integrate(
        self, call: ExecuteApiCall, path: str, method: dict[str, Any], route: v1.Route,
        deployed: Deployed, granted: Granted | None, client: http_proxy.Presenting | None = None,
    ) -> HttpResponse:  # fmt: skip
        """What follows the access checks and throttles: the method's request validator, then
        its integration (presenting `client`, the stage's client certificate, if an HTTP or
        HTTP_PROXY one calls an https:// endpoint)."""
        proxy_event = _event_maker(call, path, route, deployed)
        refused = deployed.checks.check(method, call.http, route.path_parameters)
        if refused is not None:
            execution_log.note("Request validation failed")
            return refused
        integration = method["methodIntegration"]
        kind = integration["type"]
        if kind == "AWS_PROXY":
            event = proxy_event()
            if granted is not None:
                event = granted.stamp(event)

            def decodes(content_type: str) -> bool:
                types = deployed.binary_media_types
                return content_handling.proxy_decodes(call.http.headers, types, content_type)

            return await self._invoke(
                integration, route, event, deployed.region, decodes, call.http.method
            )
        if kind in ("MOCK", "AWS", "HTTP"):
            authorizer = granted.authorizer if granted is not None else None
            params = vtl.params_of(call.http, route)
            mapped = vtl.Request(call.http, route, path, params, authorizer=authorizer)
            if kind == "AWS" and LAMBDA_URI.match(integration["uri"]):
                refused = await self._may_invoke(
                    integration, route, deployed.region, call.http.method
                )
                if refused is not None:
                    return refused
            return await self._mapped(integration, mapped, deployed, client)
        if kind == "HTTP_PROXY":
            return await self._proxy(integration, call, route, client)
        return gateway.not_supported(f"integrations of type {kind}")

    async def _mapped(
        self, integration: dict[str, Any], request: vtl.Request, deployed: Deployed,
        client: http_proxy.Presenting | None,
    ) -> HttpResponse:  # fmt: skip
        """MOCK and AWS integrations: request template, integration, integration response
        (templates.py, aws_integrations.py), converted by contentHandling."""
        api_region, binary_types = deployed.region, deployed.binary_media_types
        try:
            payload = templates.request_body(integration, request, binary_types)
        except templates.Unsupported:
            return gateway.unsupported_media_type()
        except content_handling.ConversionFailed:
            log.info("REST API %s: CONVERT_TO_BINARY of a body not base64", request.route.api_id)
            return gateway.internal_error()
        except vtl.TemplateError as error:
            log.info("REST API %s: request template: %s", request.route.api_id, error)
            return gateway.internal_error()
        if (xlog := execution_log.current.get()) is not None:
            if integration["type"] != "MOCK":
                xlog.add(f"Endpoint request URI: {integration.get('uri')}")
            xlog.add("Endpoint request body after transformations: "
                     f"{execution_log.shown_body(payload)}")  # fmt: skip
        trace = traces.current.get()
        if trace is not None:
            trace.integration_begins()
        if integration["type"] == "MOCK":
            outcome = templates.Outcome(templates.mock_selector(payload), b"")
        elif integration["type"] == "HTTP":
            try:
                outcome = await http_integration.call(integration, request, payload, client)
            except http_proxy.Unsupported as unsupported:
                return gateway.not_supported(str(unsupported))
            except http_proxy.TimedOut:
                return gateway.timed_out()
            except Exception as error:  # unreachable, refused, a bad URL: the gateway's 500
                log.warning("REST API %s: HTTP integration failed: %s", request.route.api_id, error)
                return gateway.internal_error()
        else:
            calling = asyncio.ensure_future(
                aws_integrations.call(self.internal, integration, request, payload, api_region)
            )
            calling.add_done_callback(_retrieve)
            timeout = integration.get("timeoutInMillis", 29000) / 1000
            try:
                outcome = await asyncio.wait_for(asyncio.shield(calling), timeout)
            except TimeoutError:
                return gateway.timed_out()
            except aws_integrations.NotIntegrated as error:
                return gateway.not_integrated(str(error))
            except ServiceError as error:  # a deleted function, a throttle: the gateway's 500
                log.warning("REST API %s: AWS integration failed: %s", request.route.api_id, error)
                return gateway.internal_error()
        if trace is not None:
            selector = outcome.selector or ""
            trace.integration_ends(int(selector) if selector.isdigit() else None)
        if (xlog := execution_log.current.get()) is not None:
            xlog.add(f"Received response. Selected by: {outcome.selector or '(default)'}")
            xlog.add("Endpoint response body before transformations: "
                     f"{execution_log.shown_body(outcome.body)}")  # fmt: skip
        try:
            return templates.respond(integration, request, outcome, binary_types)
        except vtl.TemplateError as error:
            log.info("REST API %s: response mapping: %s", request.route.api_id, error)
            return gateway.internal_error()

    async def _proxy(
        self, integration: dict[str, Any], call: ExecuteApiCall, route: v1.Route,
        client: http_proxy.Presenting | None,
    ) -> HttpResponse:  # fmt: skip
        try:
            method, url, headers = http_proxy.outgoing(
                integration, call.http, route, _forwarded(call)
            )
        except http_proxy.Unsupported as unsupported:
            return gateway.not_supported(str(unsupported))
        timeout = integration.get("timeoutInMillis", 29000) / 1000
        execution_log.note(f"Endpoint request URI: {url}")
        trace = traces.current.get()
        if trace is not None:
            trace.integration_begins()
        try:
            answer = await http_proxy.call(
                method, url, headers, call.http.body, timeout, http_proxy.verifies(integration),
                client,
            )  # fmt: skip
            if trace is not None:
                trace.integration_ends(answer.status)
            return answer
        except http_proxy.TimedOut:
            return gateway.timed_out()
        except Exception as error:  # unreachable, refused, a bad URL: the gateway's 500
            log.warning("REST API %s: HTTP_PROXY to %s failed: %s", route.api_id, url, error)
            return gateway.internal_error()

    async def _may_invoke(
        self, integration: dict[str, Any], route: v1.Route, api_region: str, verb: str
    ) -> HttpResponse | None:
        """The gateway's 500 when the function's policy (or the integration's role) does not
        let API Gateway invoke it, as on AWS; None when it may."""
        function, region, _ = _function_of(integration, route, api_region)
        source = (f"arn:aws:execute-api:{api_region}:{route.account_id}:{route.api_id}/"
                  f"{route.stage}/{verb}{route.resource_path}")  # fmt: skip
        refused = await self.permissions.refusal(
            route.api_id, function, source, route.account_id, region,
            integration.get("credentials"),
        )  # fmt: skip
        if refused is None:
            return None
        execution_log.note(
            "Execution failed due to configuration error: Invalid permissions on Lambda function"
        )
        return gateway.internal_error()

    async def _invoke(
        self,
        integration: dict[str, Any],
        route: v1.Route,
        event: bytes,
        api_region: str,
        decodes: Callable[[str], bool],
        verb: str,
    ) -> HttpResponse:
        refused = await self._may_invoke(integration, route, api_region, verb)
        if refused is not None:
            return refused
        function, region, account = _function_of(integration, route, api_region)
        if (xlog := execution_log.current.get()) is not None:
            xlog.add(f"Endpoint request URI: https://lambda.{region}.amazonaws.com/2015-03-31/"
                     f"functions/{function}/invocations")  # fmt: skip
            xlog.add("Endpoint request body after transformations: "
                     f"{execution_log.shown_body(event)}")  # fmt: skip
        params = {"FunctionName": function, "Payload": event}
        invoking = asyncio.ensure_future(
            self.internal.call_async(
                "lambda", "Invoke", params, identity=service_identity(PRINCIPAL, account),
                region=region, request_id=route.request_id,
            )
        )  # fmt: skip
        invoking.add_done_callback(_retrieve)
        timeout = integration.get("timeoutInMillis", 29000) / 1000
        trace = traces.current.get()
        if trace is not None:
            trace.integration_begins()
        try:
            result = await result_within(invoking, timeout)
        except TimeoutError:
            execution_log.note("Execution failed due to a timeout error")
            return gateway.timed_out()  # the function runs on, to its own timeout, as on AWS
        except ServiceError as error:  # a deleted function, a throttle (API Gateway logs "Lambda
            # invocation failed with status: 429" and answers 500), …
            log.warning("REST API %s: invoking %s failed: %s", route.api_id, function, error)
            return gateway.internal_error()
        if trace is not None:
            trace.integration_ends(None, 200)  # Lambda's own status: it ran the function
        if (xlog := execution_log.current.get()) is not None:
            xlog.add("Endpoint response body before transformations: "
                     f"{execution_log.shown_body(result.get('Payload') or b'')}")  # fmt: skip
        if result.get("FunctionError"):
            execution_log.note(
                f"Lambda execution failed with status 200 due to customer function error: "
                f"{result.get('FunctionError')}"
            )
            return gateway.bad_gateway()
        try:
            answer = v1_response.response(result.get("Payload") or b"", decodes)
            if trace is not None:
                trace.values["integration.status"] = answer.status
            return answer
        except v1_response.Malformed as malformed:
            log.info("REST API %s: malformed Lambda proxy response (%s)", route.api_id, malformed)
            execution_log.note(f"Execution failed due to configuration error: Malformed Lambda "
                               f"proxy response ({malformed})")  # fmt: skip
            return gateway.bad_gateway()

    async def _stage(self, api_id: str, stage: str) -> Serving | None:
        now = time.monotonic()
        cached = self.stages.get((api_id, stage))
        if cached is not None and cached[0] > now:
            return cached[1]
        serving = await self._read(self._serving, api_id, stage)
        if len(self.stages) >= _CACHED_DEPLOYMENTS:
            self.stages.clear()
        self.stages[(api_id, stage)] = (now + STAGE_TTL_S, serving)
        return serving

    def _serving(self, api_id: str, stage: str) -> Serving | None:
        with self.store.read() as conn:
            found = stages.serving(conn, api_id, stage)
            if found is None:
                return None
            deployment_id, config = found
            variables = dict(config.get("variables") or {})
            deployed = self._deployed(conn, api_id, deployment_id)
            if deployed is None:
                return None
            canary_settings = config.get("canarySettings")
            canary: Release | None = None
            if canary_settings is not None:
                canary_id = canary_settings["deploymentId"]
                canary_deployed = self._deployed(conn, api_id, canary_id)
                overrides = canary_settings.get("stageVariableOverrides") or {}
                if canary_deployed is not None:
                    canary = (canary_deployed, canary_id, {**variables, **overrides})
            client = self._client(conn, deployed, config.get("clientCertificateId"))
        return Serving(
            (deployed, deployment_id, variables), canary,
            float((canary_settings or {}).get("percentTraffic", 0.0)),
            config.get("methodSettings") or {},
            stages.access_log_of(config, deployed.account_id), client,
        )  # fmt: skip

    def _client(
        self, conn: Any, deployed: Deployed, certificate_id: str | None
    ) -> http_proxy.Presenting | None:
        """The stage's client certificate (its API owner's), to present."""
        if not certificate_id:
            return None
        owner = account_items.Owner(deployed.account_id, deployed.region)
        found = client_certificates.key_pair(conn, owner, certificate_id)
        if found is None:
            return None
        certificate = http_proxy.ClientCertificate(certificate_id, *found)
        return http_proxy.Presenting(self.client_pools, certificate)

    def _deployed(self, conn: Any, api_id: str, deployment_id: str) -> Deployed | None:
        deployed = self.deployed.get((api_id, deployment_id))
        if deployed is None:
            snapshot = deployments.snapshot_of(conn, api_id, deployment_id)
            owner = rest_apis.owner_of(conn, api_id)
            if snapshot is None or owner is None:
                return None
            if len(self.deployed) >= _CACHED_DEPLOYMENTS:
                self.deployed.clear()
            deployed = Deployed(api_id, owner[0], owner[1], snapshot)
            self.deployed[(api_id, deployment_id)] = deployed
        return deployed

    async def _read(self, read: Callable[..., T], *args: Any) -> T:
        if not self.store.reads_wait:
            return read(*args)  # SQLite: a brief read on the loop costs less than a thread
        return await asyncio.get_running_loop().run_in_executor(None, read, *args)


def _event_maker(call: ExecuteApiCall, path: str, route: v1.Route,
                 deployed: Deployed) -> Callable[[], bytes]:  # fmt: skip
    """The 1.0 proxy event of the request, made when asked for."""
    # through a custom domain the event has the path as sent, base path and all (AWS's way)
    shown = path if call.mapped_path is None else unquote(call.mapped_path)

    def proxy_event() -> bytes:
        return v1.event(call.http, shown, route, _forwarded(call), deployed.binary_media_types)

    return proxy_event


def _retrieve(task: asyncio.Future[Any]) -> None:
    """An invocation the gateway stopped waiting for: its outcome is read, not left unread."""
    if not task.cancelled():
        task.exception()


def _function_of(
    integration: dict[str, Any], route: v1.Route, api_region: str
) -> tuple[str, str, str]:
    """(function, its region, its account) of a Lambda integration, stage variables put in."""
    matched = LAMBDA_URI.match(integration["uri"])
    assert matched is not None  # PutIntegration refuses any other URI
    variables = route.stage_variables
    function = _STAGE_VARIABLE.sub(lambda m: variables.get(m.group(1), ""), matched.group(1))
    arn = function.split(":")
    region = arn[3] if len(arn) > 4 and arn[0] == "arn" else api_region
    account = arn[4] if len(arn) > 4 and arn[0] == "arn" else route.account_id
    return function, region, account


def _trace(call: ExecuteApiCall, route: v1.Route, stage: str) -> traces.Trace:
    """A request's access log trace, with what is known of it as it comes in."""
    trace = traces.Trace()
    domain = route.domain_name
    trace.values.update({
        "accountId": route.account_id, "apiId": route.api_id, "stage": stage,
        "deploymentId": route.deployment_id, "requestId": route.request_id,
        "extendedRequestId": route.extended_request_id, "httpMethod": call.http.method,
        "path": unquote(call.path if call.stage is None else f"/{stage}{call.path}"),
        "protocol": "HTTP/1.1", "domainName": domain, "domainPrefix": domain.split(".")[0],
        "identity.sourceIp": call.source_ip,
        "identity.userAgent": call.http.headers.get("user-agent"),
    })  # fmt: skip
    return trace


def _note_granted(granted: Granted) -> None:
    trace = traces.current.get()
    if trace is None:
        return
    for name in ("apiKey", "apiKeyId", "caller", "user", "userArn", "accountId"):
        if granted.identity.get(name):
            trace.values[f"identity.{name}"] = granted.identity[name]
    authorizer = granted.authorizer
    if authorizer is not None:
        context = {k: v for k, v in authorizer.items() if k != "principalId"}
        trace.authorized(authorizer.get("principalId"), context)


def _forwarded(call: ExecuteApiCall) -> list[tuple[str, str]]:
    """The request's headers as the function sees them: with X-Forwarded-For/Port/Proto, as
    API Gateway adds them."""
    headers = list(call.raw_headers)
    names = {name.lower() for name, _ in headers}
    forwarded = next((v for k, v in headers if k.lower() == "x-forwarded-for"), None)
    headers = [(k, v) for k, v in headers if k.lower() != "x-forwarded-for"]
    headers.append(
        ("x-forwarded-for", f"{forwarded}, {call.source_ip}" if forwarded else call.source_ip)
    )
    if "x-forwarded-proto" not in names:
        headers.append(("x-forwarded-proto", "http"))
    if "x-forwarded-port" not in names:
        host = call.http.headers.get("host", "")
        headers.append(("x-forwarded-port", host.rsplit(":", 1)[1] if ":" in host else "80"))
    return headers
