"""WebSocket APIs' data plane (an ExecuteApiPlane that also takes WebSocket scopes).

A client connects at `/{stage}` (by the execute-api Host or the /_aws/execute-api/{id} path):
the `$connect` route's function is invoked before the upgrade completes, and an answer other
than a 2xx statusCode (or a failure) refuses the connection: HTTP 403, as API Gateway. Each
message then picks its route by the API's RouteSelectionExpression (`$request.body.action`:
a key of the JSON message), `$default` when none matches; a two-way route (a `$default` route
response) sends the answer back: an AWS_PROXY function's `body`, an HTTP_PROXY URL's body, or
what a non-proxy integration's (AWS, HTTP, MOCK) integration response made of its answer.
A route's models validate a message first (websocket_mapping.py: templates, models,
integration responses). `$disconnect` is invoked once the socket closed.

The management API (apigatewaymanagementapi: PostToConnection, GetConnection,
DeleteConnection) is served on the same API at `/{stage}/@connections/{id}`; the node that
holds the socket delivers, and any other node of a fleet writes the message (or the delete) to
the store for it (deliveries.py), answering once written. The holder closes connections past
API Gateway's idle and duration limits (connection_limits.py). The stage's throttling
(DefaultRouteSettings, RouteSettings by route key) holds each route to its token bucket on
this node (throttling.py): a connect over `$connect`'s limit is refused with HTTP 429 before
the upgrade, a message over its route's limit is answered with a "Too Many Requests" message
and not delivered to the route. The `$connect` route's authorization (AWS_IAM, or a
REQUEST Lambda authorizer: websocket_authorizer.py) decides before the upgrade: a refusal is
the upgrade's HTTP 401, 403 or 500, and what an authorizer let the connection in with is
requestContext.authorizer of its every event. A route's function is invoked only when its
resource policy lets apigateway.amazonaws.com (lambda_invoke_permission.py). The management
API's callers' signatures are checked when Lamina checks signatures (management_auth.py);
their IAM policies are not evaluated there."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import string
import time
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import unquote

from lamina import ids
from lamina.edge.execute_api import ExecuteApiCall
from lamina.identity import CachedCredentials, root_of
from lamina.lambda_invoke_permission import InvokePermissions
from lamina.protocol.errors import ServiceError
from lamina.protocol.http import HttpResponse
from lamina.services.access_logs import trace as traces
from lamina.services.access_logs.settings import AccessLog
from lamina.services.access_logs.writer import AccessLogs
from lamina.services.api_gateway_account import AccountThrottle
from lamina.services.apigatewayv2 import (
    connection_limits,
    connections,
    deliveries,
    holders,
    http_proxy,
    throttling,
    websocket_authorizer,
    websocket_events,
    websocket_mapping,
)
from lamina.services.apigatewayv2.integration_operations import function_arn
from lamina.services.apigatewayv2.management_auth import ManagementCallers
from lamina.services.apigatewayv2.served import Deployed, ServedApis, Stage, View
from lamina.services.apigatewayv2.websocket_settings import (
    CONNECT,
    DEFAULT,
    DISCONNECT,
    is_websocket,
    selection_path,
)
from lamina.services.internal import InternalClient
from lamina.store import Store
from lamina.types import Receive, Scope, Send

log = logging.getLogger(__name__)
_ID_ALPHABET = string.ascii_letters + string.digits
_MAX_POST_BYTES = 128 * 1024  # API Gateway's frame limit for PostToConnection
_POLL = 0.15  # how often a holder looks for deliveries when nothing wakes it (SQLite)
_LIMITS_EVERY = 1.0  # how often a holder that is woken by NOTIFY checks the limits anyway


def _connection_id() -> str:
    """AWS's shape (`L0SM9cOFvHcCIhw=`), kept to characters a URL path carries as they are."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(15)) + "="


def _error(status: int, code: str, message: str | None = None) -> HttpResponse:
    body = json.dumps({"message": message} if message else {}).encode()
    headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", code)]
    return HttpResponse(status, headers, body)


def _iso(seconds: float) -> str:
    return (
        time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
        + f".{int(seconds * 1000) % 1000:03d}Z"
    )


@dataclass
class OpenSocket:
    """A connection this node holds: its socket's `send`, and what GetConnection says."""

    event: websocket_events.Connection
    account_id: str
    region: str
    send: Send
    last_active_at: float
    closing: bool = False
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    access_log: AccessLog | None = None  # the stage's: a line for each event


def _trace(
    held: OpenSocket, event_type: str, route_key: str, request_id: str
) -> traces.Trace | None:
    """An event's access log trace (None when the stage does not log)."""
    if held.access_log is None:
        return None
    trace = traces.Trace()
    event = held.event
    trace.values.update({
        "apiId": event.api_id, "stage": event.stage, "accountId": held.account_id,
        "connectionId": event.connection_id, "connectedAt": int(event.connected_at * 1000),
        "domainName": event.domain_name, "domainPrefix": event.domain_name.split(".")[0],
        "eventType": event_type, "routeKey": route_key, "requestId": request_id,
        "extendedRequestId": request_id, "identity.sourceIp": event.source_ip,
        "identity.userAgent": event.user_agent,
    })  # fmt: skip
    return trace


class WebSocketPlane:
    def __init__(
        self, store: Store, served: ServedApis, internal: InternalClient, node: str
    ) -> None:
        self.store = store
        self.served = served
        self.internal = internal
        self.node = node
        self.open: dict[str, OpenSocket] = {}
        self.throttles = throttling.Throttles()
        # the node gives it the one REST and HTTP APIs take from too
        self.account_throttle = AccountThrottle()
        self.permissions = InvokePermissions(internal)
        self.authorizers = websocket_authorizer.ConnectAuthorizers(internal, self.permissions)
        self.callers: ManagementCallers | None = None  # set: signatures are checked
        self._wake = asyncio.Event()
        self._listener = deliveries.Listener(store, node, self._wake_soon)
        self._holding: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._renewed = 0.0  # time.monotonic() of this node's last renewal as a holder
        self.access_logs = AccessLogs()  # the node gives it CloudWatch Logs' sink
        self._serving: set[asyncio.Future[None]] = set()  # connections not yet ended

    def verify_signatures(self, credentials: CachedCredentials) -> None:
        """LAMINA_VERIFY_SIGNATURES=1: the management API's callers must sign."""
        self.callers = ManagementCallers(credentials)

    async def _in_thread(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(None, fn, *args)

    async def _view(self, api_id: str) -> View | None:
        if self.store.reads_wait:
            view: View | None = await self._in_thread(self.served.view, api_id)
            return view
        return self.served.view(api_id)

    def owns(self, api_id: str) -> bool:
        view = self.served.view(api_id)
        return view is not None and is_websocket(view.api.config)

    def start(self) -> None:
        # sockets do not outlive a node: what it held, and what waited for it, goes at its start
        connections.forget_node(self.store, self.node)
        deliveries.forget_node(self.store, self.node)
        holders.renew(self.store, self.node, time.time())
        self._renewed = time.monotonic()

    async def run(self) -> None:
        """Take deliveries for the connections held here, and close those past their limits."""
        self._loop = asyncio.get_running_loop()
        await self._in_thread(self._listener.start)
        self._holding = asyncio.ensure_future(self._hold())

    def _wake_soon(self) -> None:  # from the listener's thread
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def _hold(self) -> None:
        listening = self.store.dialect == "postgresql"
        while True:
            # holding nothing, it only renews (a connection that opens wakes it at once)
            every = (_LIMITS_EVERY if listening else _POLL) if self.open else holders.RENEW_EVERY
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), every)
            self._wake.clear()
            try:
                if self.open:
                    for delivery in await self._in_thread(deliveries.take, self.store, self.node):
                        await self._take(delivery)
                    self.enforce_limits(time.time())
                if time.monotonic() - self._renewed >= holders.RENEW_EVERY:
                    self._renewed = time.monotonic()
                    await self._in_thread(self._renew)
            except Exception:  # the store failed this time: the next round tries again
                log.exception("WebSocket connections: the holder's round failed")

    def _renew(self) -> None:
        now = time.time()
        holders.renew(self.store, self.node, now)
        dead = holders.sweep(self.store, now)
        if dead:
            log.warning("WebSocket connections of nodes gone for %.0f s dropped: %s",
                        holders.LEASE, ", ".join(dead))  # fmt: skip

    async def _take(self, delivery: deliveries.Delivery) -> None:
        held = self.open.get(delivery.connection_id)
        if held is None or held.closing:  # closed since it was written: as AWS, it is lost
            return
        if delivery.action == deliveries.DELETE:
            held.closing = True
            await self._send(held, {"type": "websocket.close", "code": 1000})
        else:
            await self._deliver(held, delivery.data)

    def enforce_limits(self, now: float) -> list[str]:
        """Close (1001 Going Away) the connections past API Gateway's limits; their ids."""
        closed = []
        for connection_id, held in list(self.open.items()):
            if held.closing or not connection_limits.expired(
                held.event.connected_at, held.last_active_at, now
            ):
                continue
            held.closing = True
            closed.append(connection_id)
            close = {"type": "websocket.close", "code": connection_limits.GOING_AWAY}
            task = asyncio.ensure_future(self._send(held, close))
            held.tasks.add(task)
            task.add_done_callback(held.tasks.discard)
        return closed

    # The management API: HTTP requests to /{stage}/@connections/{id}

    async def serve(self, call: ExecuteApiCall) -> HttpResponse:
        path = call.path if call.stage is None else f"/{call.stage}{call.path}"
        _, _, rest = path[1:].partition("/")
        kind, _, connection_id = rest.partition("/")
        if kind != "@connections" or not connection_id or "/" in connection_id:
            return _error(403, "ForbiddenException", "Forbidden")
        connection_id = unquote(connection_id)
        if self.callers is not None:
            refused = await self.callers.refusal(call.http)
            if refused is not None:
                return _error(403, "ForbiddenException", refused)
        method = call.http.method
        held = self.open.get(connection_id)
        if held is not None and held.event.api_id != call.api_id:
            held = None
        if held is None or held.closing:
            row = await self._in_thread(connections.find, self.store, connection_id)
            # a row of this node's without its socket: closed, its row not yet deleted
            if (
                row is None
                or row.api_id != call.api_id
                or held is not None
                or row.node == self.node
            ):
                return _error(410, "GoneException")
            if method == "GET":
                return _connection_info(
                    row.connected_at, row.connected_at, row.source_ip, row.user_agent
                )
            if method == "DELETE":
                await self._in_thread(
                    deliveries.put, self.store, row.node, connection_id, deliveries.DELETE
                )
                return HttpResponse(204)
            if method == "POST":
                data = call.http.body
                if len(data) > _MAX_POST_BYTES:
                    return _error(413, "PayloadTooLargeException", "Message too long")
                await self._in_thread(
                    deliveries.put, self.store, row.node, connection_id, deliveries.POST, data
                )
                return HttpResponse(200)
            return _error(403, "ForbiddenException", "Forbidden")
        if method == "GET":
            event = held.event
            return _connection_info(
                event.connected_at, held.last_active_at, event.source_ip, event.user_agent
            )
        if method == "DELETE":
            held.closing = True
            await self._send(held, {"type": "websocket.close", "code": 1000})
            return HttpResponse(204)
        if method == "POST":
            data = call.http.body
            if len(data) > _MAX_POST_BYTES:
                return _error(413, "PayloadTooLargeException", "Message too long")
            await self._deliver(held, data)
            return HttpResponse(200)
        return _error(403, "ForbiddenException", "Forbidden")

    # The socket

    async def serve_websocket(
        self, call: ExecuteApiCall, scope: Scope, receive: Receive, send: Send
    ) -> None:
        view = await self._view(call.api_id)
        stage = _stage(view, call)
        first = await receive()
        disabled = (  # the default endpoint only: custom domains serve such APIs
            view is not None
            and call.mapped_path is None
            and view.api.config.get("DisableExecuteApiEndpoint")
        )
        if first["type"] != "websocket.connect" or stage is None or view is None or disabled:
            await send({"type": "websocket.close", "code": 1008})  # before accept: HTTP 403
            return
        deployed = stage.deployed
        assert deployed is not None  # _stage answers only deployed stages
        if not self._admitted(view.api.account_id, view.api.region, call.api_id, stage, CONNECT):
            await _refuse(scope, send, 429, "Too Many Requests")
            return
        now = time.time()
        forwarded = call.http.headers.get("x-forwarded-for")
        headers = [
            *[(k, v) for k, v in call.raw_headers if not k.lower().startswith("x-forwarded-")],
            # as API Gateway adds them (the port and scheme the client reached Lamina at)
            ("X-Forwarded-For", f"{forwarded}, {call.source_ip}" if forwarded else call.source_ip),
            ("X-Forwarded-Port", str((scope.get("server") or ("", 0))[1])),
            ("X-Forwarded-Proto", "http"),
        ]
        user_agent = next((v for k, v in headers if k.lower() == "user-agent"), "")
        event = websocket_events.Connection(
            _connection_id(),
            call.api_id,
            stage.name,
            call.domain or f"{call.api_id}.execute-api.localhost",
            call.source_ip,
            user_agent,
            now,
            headers,
            call.http.query,
        )
        api = view.api
        held = OpenSocket(event, api.account_id, api.region, send, now, access_log=stage.access_log)
        trace = _trace(held, "CONNECT", CONNECT, call.request_id)
        if CONNECT in deployed.routes:
            connect = websocket_authorizer.Connect(
                api.region, api.account_id, api.api_id, stage.name, stage.variables,
                websocket_events.connect(event, call.request_id),
            )  # fmt: skip
            authorized = await self.authorizers.authorize(
                deployed.routes[CONNECT], deployed.authorizers, call, connect
            )
            if isinstance(authorized, websocket_authorizer.Refused):
                await _refuse(scope, send, authorized.status, authorized.message)
                self._logged(held, trace, authorized.status, authorized.message)
                return
            if isinstance(authorized, websocket_authorizer.Signed):
                event = held.event = replace(event, signer=authorized.identity)
            elif authorized is not None:
                event = held.event = replace(event, authorizer=authorized)
                if trace is not None:
                    trace.authorized(authorized.get("principalId"), authorized)
            mapped = websocket_mapping.Message(
                event, CONNECT, "CONNECT", "", call.request_id, stage.variables
            )
            outcome = await self._integrate(
                held, deployed, CONNECT, mapped,
                websocket_events.connect(event, call.request_id), trace,
            )  # fmt: skip
            if outcome.error is not None or not 200 <= outcome.status < 300:
                await send({"type": "websocket.close", "code": 1008})
                self._logged(held, trace, 403, "Forbidden")
                return
        self._logged(held, trace, 200)
        row = connections.Row(
            event.connection_id, call.api_id, stage.name, self.node, call.source_ip, user_agent, now
        )
        await self._in_thread(connections.insert, self.store, row)
        self.open[event.connection_id] = held
        serving: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._serving.add(serving)  # until its $disconnect has run
        self._wake.set()  # the holder's loop runs while there are connections
        code, reason = 1005, ""
        try:
            await send({"type": "websocket.accept"})
            selection = selection_path(view.api.config["RouteSelectionExpression"])
            while True:
                message = await receive()
                if message["type"] == "websocket.disconnect":
                    code, reason = message.get("code", 1005), message.get("reason") or ""
                    break
                if message["type"] != "websocket.receive":
                    continue
                held.last_active_at = time.time()
                data = message.get("text")
                if data is None:
                    data = message.get("bytes") or b""
                task = asyncio.ensure_future(self._message(held, stage, deployed, selection, data))
                held.tasks.add(task)
                task.add_done_callback(held.tasks.discard)
        finally:
            try:
                held.closing = True
                self.open.pop(event.connection_id, None)
                await self._in_thread(connections.delete, self.store, event.connection_id)
                request_id = ids.request_id()
                trace = _trace(held, "DISCONNECT", DISCONNECT, request_id)
                if trace is not None:
                    trace.values["disconnectStatusCode"] = code
                    trace.values["disconnectReason"] = reason
                if DISCONNECT in deployed.routes:
                    payload = websocket_events.disconnect(event, code, reason, request_id)
                    mapped = websocket_mapping.Message(
                        event, DISCONNECT, "DISCONNECT", "", request_id, stage.variables
                    )
                    await self._integrate(held, deployed, DISCONNECT, mapped, payload, trace)
                self._logged(held, trace, 200)
            finally:  # the old state's last work is done (a reset waits for it)
                self._serving.discard(serving)
                if not serving.done():
                    serving.set_result(None)

    async def _message(
        self, held: OpenSocket, stage: Stage, deployed: Deployed, selection: list[str],
        data: str | bytes,
    ) -> None:  # fmt: skip
        request_id = ids.request_id()
        route_key = _select(deployed, selection, data)
        event = held.event
        message_id = _connection_id()
        trace = _trace(held, "MESSAGE", route_key or "", request_id)
        if trace is not None:
            trace.values["messageId"] = message_id
        if route_key is None:
            await self._gateway_says(held, "Forbidden", request_id)
            self._logged(held, trace, 403, "Forbidden")
            return
        if not self._admitted(held.account_id, held.region, event.api_id, stage, route_key):
            await self._gateway_says(held, "Too Many Requests", request_id)
            self._logged(held, trace, 429, "Too Many Requests")
            return
        route = deployed.routes[route_key]
        try:
            websocket_mapping.validate(route, deployed.models, data)
        except websocket_mapping.Refused as refused:
            await self._gateway_says(held, refused.message, request_id)
            self._logged(held, trace, refused.status, refused.message)
            return
        payload = websocket_events.message(event, route_key, data, request_id, message_id)
        message = websocket_mapping.Message(
            event, route_key, "MESSAGE", data, request_id, stage.variables, message_id
        )
        outcome = await self._integrate(held, deployed, route_key, message, payload, trace)
        if outcome.error is not None:
            await self._gateway_says(held, outcome.error, request_id)
            self._logged(held, trace, outcome.status, outcome.error)
            return
        self._logged(held, trace, outcome.status)
        if route.get("RouteResponseSelectionExpression") and route["RouteId"] in deployed.answering:
            if isinstance(outcome.reply, bytes):
                await self._send(held, {"type": "websocket.send", "bytes": outcome.reply})
            elif outcome.reply is not None:
                await self._send(held, {"type": "websocket.send", "text": outcome.reply})

    def _logged(
        self, held: OpenSocket, trace: traces.Trace | None, status: int, error: str | None = None
    ) -> None:
        if trace is None or held.access_log is None:
            return
        trace.error(error, None)
        trace.ended(status)
        self.access_logs.write(held.access_log, trace)

    def _admitted(
        self, account_id: str, region: str, api_id: str, stage: Stage, route_key: str
    ) -> bool:
        """The route's stage throttle, then the account's."""
        limit = throttling.limits(stage.default_route_settings, stage.route_settings, route_key)
        if limit is not None and not self.throttles.admit(api_id, stage.name, route_key, limit):
            return False
        return self.account_throttle.admit(account_id, region)

    async def _gateway_says(self, held: OpenSocket, message: str, request_id: str) -> None:
        """What API Gateway sends a client whose message no route takes or whose function failed."""
        said = {
            "message": message,
            "connectionId": held.event.connection_id,
            "requestId": request_id,
        }
        await self._deliver(held, json.dumps(said))

    async def _deliver(self, held: OpenSocket, data: str | bytes) -> None:
        if isinstance(data, bytes):
            try:
                data = data.decode()
            except UnicodeDecodeError:
                await self._send(held, {"type": "websocket.send", "bytes": data})
                return
        await self._send(held, {"type": "websocket.send", "text": data})

    async def _send(self, held: OpenSocket, message: dict[str, Any]) -> None:
        try:
            await held.send(message)
        except Exception as error:  # the client went away meanwhile: its disconnect follows
            log.debug("WebSocket %s: not sent: %s", held.event.connection_id, error)

    async def _integrate(
        self,
        held: OpenSocket,
        deployed: Deployed,
        route_key: str,
        message: websocket_mapping.Message,
        event: bytes,
        trace: traces.Trace | None,
    ) -> Outcome:
        """The route's integration called: a proxy one with the event (AWS_PROXY) or the message
        (HTTP_PROXY) as they are, a non-proxy one through its request template and integration
        response (websocket_mapping.py)."""
        target = deployed.routes[route_key].get("Target", "")
        integration_id = target.partition("/")[2]
        integration = deployed.integrations.get(integration_id)
        if integration is None:
            return Outcome(500, None, websocket_mapping.INTERNAL)
        kind = integration["IntegrationType"]
        request_id = message.request_id
        if kind == "AWS_PROXY":
            answer = await self._invoke(held, integration, route_key, event, request_id, trace)
            if answer is None:
                return Outcome(500, None, websocket_mapping.INTERNAL)
            if route_key == CONNECT:
                return Outcome(200 if _accepted(answer) else 403, None)
            body = answer.get("body") if isinstance(answer, dict) else answer
            reply = None if body is None else body if isinstance(body, str) else json.dumps(body)
            return Outcome(200, reply)
        try:
            if kind == "HTTP_PROXY":
                data = message.data
                sent = await self._http(integration, data.encode() if isinstance(data, str)
                                        else data, trace)  # fmt: skip
                return Outcome(sent.status, _text_if_can(sent.body))
            payload = websocket_mapping.request_payload(integration, message)
            if kind == "MOCK":
                answer = websocket_mapping.Answer(websocket_mapping.mock_status(payload), b"")
            elif kind == "AWS":
                answer = await self._function(held, integration, route_key, payload, message,
                                              trace)  # fmt: skip
            else:
                answer = await self._http(integration, payload, trace)
            if route_key in (CONNECT, DISCONNECT):  # nothing goes back: only the status counts
                return Outcome(answer.status, None)
            responses = deployed.integration_responses.get(integration_id, [])
            return Outcome(answer.status, websocket_mapping.respond(responses, answer, message))
        except websocket_mapping.Refused as refused:
            return Outcome(refused.status, None, refused.message)

    async def _function(
        self,
        held: OpenSocket,
        integration: dict[str, Any],
        route_key: str,
        payload: bytes,
        message: websocket_mapping.Message,
        trace: traces.Trace | None,
    ) -> websocket_mapping.Answer:
        """An AWS (Lambda non-proxy) integration: the request template's output is the payload;
        a function error is matched by its errorMessage, as API Gateway does."""
        result = await self._call_function(
            held, integration, route_key, payload, message.request_id, trace
        )
        if result is None:
            raise websocket_mapping.Refused(websocket_mapping.INTERNAL, 500)
        raw = result.get("Payload") or b""
        if not result.get("FunctionError"):
            return websocket_mapping.Answer(200, raw)
        try:
            error = json.loads(raw)
            selector = str(error.get("errorMessage", "")) if isinstance(error, dict) else ""
        except ValueError:
            selector = ""
        if route_key == CONNECT:  # a failed function refuses the connection
            raise websocket_mapping.Refused("Forbidden", 403)
        return websocket_mapping.Answer(200, raw, selector=selector or "-")

    async def _http(
        self, integration: dict[str, Any], body: bytes, trace: traces.Trace | None
    ) -> websocket_mapping.Answer:
        """An HTTP or HTTP_PROXY integration: the payload POSTed (or by IntegrationMethod) to
        its URL; the answer's status, headers and body."""
        if trace is not None:
            trace.integration_begins()
        try:
            answer = await http_proxy.call(
                integration["IntegrationMethod"], integration["IntegrationUri"],
                [("Content-Type", "application/json")], body,
                integration["TimeoutInMillis"] / 1000,
            )  # fmt: skip
        except http_proxy.ProxyTimeout:
            raise websocket_mapping.Refused("Endpoint request timed out", 504) from None
        except http_proxy.ProxyFailed as error:
            log.info("WebSocket HTTP integration failed: %s", error)
            raise websocket_mapping.Refused(websocket_mapping.INTERNAL, 500) from None
        if trace is not None:
            trace.integration_ends(None, answer.status)
        return websocket_mapping.Answer(answer.status, answer.body, list(answer.headers))

    async def _invoke(
        self,
        held: OpenSocket,
        integration: dict[str, Any],
        route_key: str,
        payload: bytes,
        request_id: str,
        trace: traces.Trace | None = None,
    ) -> Any:
        """An AWS_PROXY function's answer (parsed JSON, or None when it failed or timed out)."""
        result = await self._call_function(held, integration, route_key, payload, request_id, trace)
        if result is None or result.get("FunctionError"):
            return None
        raw = result.get("Payload") or b""
        try:
            return json.loads(raw) if raw else {}
        except ValueError:
            return raw.decode(errors="replace")

    async def _call_function(
        self,
        held: OpenSocket,
        integration: dict[str, Any],
        route_key: str,
        payload: bytes,
        request_id: str,
        trace: traces.Trace | None,
    ) -> dict[str, Any] | None:
        """Lambda's Invoke answer for the integration's function (None: not allowed, failed to
        invoke or timed out)."""
        arn = function_arn(integration["IntegrationUri"])
        assert arn is not None  # checked when the integration was made
        event = held.event
        source = (f"arn:aws:execute-api:{held.region}:{held.account_id}:{event.api_id}/"
                  f"{event.stage}/{route_key}")  # fmt: skip
        why = await self.permissions.refusal(
            event.api_id, arn, source, held.account_id, arn.split(":")[3]
        )
        if why is not None:
            return None
        invoke = self.internal.call_async(
            "lambda",
            "Invoke",
            {"FunctionName": arn, "Payload": payload},
            identity=root_of(held.account_id),
            region=arn.split(":")[3],
            request_id=request_id,
        )
        if trace is not None:
            trace.integration_begins()
        try:
            result = await asyncio.wait_for(invoke, integration["TimeoutInMillis"] / 1000)
        except (TimeoutError, ServiceError) as error:
            log.info("WebSocket API %s: invoking %s failed: %r", held.event.api_id, arn, error)
            return None
        if trace is not None:
            trace.integration_ends(None, 200)
        found: dict[str, Any] = result
        return found

    async def close(self) -> None:
        if self._holding is not None:
            self._holding.cancel()
            self._holding = None
        await self._in_thread(self._listener.stop)
        # A stop (or a reset) ends once the connections' messages in flight and their
        # $disconnect have run: run later, they would invoke and write into what comes after
        # (a reset's new state).
        pending: set[asyncio.Future[Any]] = set(self._serving)
        for held in list(self.open.values()):
            pending |= held.tasks
            held.closing = True
            await self._send(held, {"type": "websocket.close", "code": 1001})
        if pending:
            await asyncio.wait(pending, timeout=_DISCONNECT_WAIT_S)


_DISCONNECT_WAIT_S = 10.0


@dataclass
class Outcome:
    """What a route's integration came to: the status the access log records (and `$connect`
    is admitted by), what a two-way route sends back, or what API Gateway says instead."""

    status: int
    reply: str | bytes | None
    error: str | None = None


def _text_if_can(body: bytes) -> str | bytes:
    try:
        return body.decode()
    except UnicodeDecodeError:
        return body


def _connection_info(
    connected_at: float, last_active_at: float, ip: str, agent: str
) -> HttpResponse:
    body = {
        "connectedAt": _iso(connected_at),
        "identity": {"sourceIp": ip, "userAgent": agent},
        "lastActiveAt": _iso(last_active_at),
    }
    return HttpResponse(200, [("Content-Type", "application/json")], json.dumps(body).encode())


async def _refuse(scope: Scope, send: Send, status: int, message: str) -> None:
    """An HTTP answer to the upgrade, where the server can answer a WebSocket request with a
    response (ASGI's websocket.http.response extension: uvicorn's); else the 403 of a refused
    connect."""
    if "websocket.http.response" not in (scope.get("extensions") or {}):
        await send({"type": "websocket.close", "code": 1008})
        return
    body = json.dumps({"message": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "websocket.http.response.start", "status": status, "headers": headers})
    await send({"type": "websocket.http.response.body", "body": body})


def _accepted(answer: Any) -> bool:
    """A `$connect` function's answer lets the client in: a 2xx statusCode, or none given."""
    if answer is None:
        return False
    status = answer.get("statusCode", 200) if isinstance(answer, dict) else 200
    try:
        return 200 <= int(status) < 300
    except (TypeError, ValueError):
        return False


def _stage(view: View | None, call: ExecuteApiCall) -> Stage | None:
    """The deployed stage a connection asks for: `/{stage}` (a WebSocket API has no other path)."""
    if view is None:
        return None
    name = call.stage if call.stage is not None else call.path.strip("/")
    stage = view.stages.get(unquote(name)) if name and "/" not in name else None
    return stage if stage is not None and stage.deployed is not None else None


def _select(deployed: Deployed, selection: list[str], data: str | bytes) -> str | None:
    """The route a message takes: the key its JSON body names, else `$default`, else none."""
    try:
        value: Any = json.loads(data)
        for key in selection:
            value = value[key] if isinstance(value, dict) else None
    except ValueError:
        value = None
    if isinstance(value, str) and value in deployed.routes and not value.startswith("$"):
        return value
    return DEFAULT if DEFAULT in deployed.routes else None
