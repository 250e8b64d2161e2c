"""Layer: requests to deployed APIs (API Gateway's data plane, `execute-api`), told from AWS API
calls before the protocol layer runs (DESIGN decision 13), in one place, and handed to the
plane that owns the API: REST APIs (apigateway) or HTTP and WebSocket APIs (apigatewayv2).

An API answers on the main port at
- `http://{api-id}.execute-api.localhost:{port}/{stage}/…` (any `{api-id}.execute-api.<…>`
  Host: browsers and curl resolve `*.localhost` themselves, other clients send the Host);
- `/_aws/execute-api/{api-id}/{stage}/…`, and `/restapis/{api-id}/{stage}/_user_request_/…`,
  the path forms LocalStack's users have in their scripts.

The stage is the plane's to split off (an HTTP API's `$default` stage answers without one),
except in the `_user_request_` form, which names it.

A request signed for `execute-api` has its SigV4 signature checked here, with the verifier of
AWS API calls: the plane gets the signer, or why the signature does not hold (for AWS_IAM
methods; whether a method needs it is the plane's question)."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Protocol

from lamina import ids
from lamina.edge.auth import Verifier, read_signature
from lamina.edge.request import EdgeRequest, edge_request, send_response
from lamina.identity import CachedCredentials, Credential
from lamina.protocol.errors import ServiceError
from lamina.protocol.http import Headers, HttpRequest, HttpResponse
from lamina.types import ASGIApp, Receive, Scope, Send

_HOST = re.compile(r"^([a-z0-9]{10})\.execute-api\.[^:]+(?::\d+)?$")
_AWS_PATH = re.compile(r"^/_aws/execute-api/([a-z0-9]{10})(/.*)?$")
_USER_REQUEST = re.compile(r"^/restapis/([a-z0-9]{10})/([^/]+)/_user_request_(/.*)?$")


@dataclass
class ExecuteApiCall:
    """A request to a deployed API, as the edge hands it to the plane that owns the API."""

    http: HttpRequest
    api_id: str
    stage: str | None  # named by the `_user_request_` path form; else the plane splits it off
    path: str  # the rest of the path, percent-encoded as on the wire: `/{stage}/…` or `/…`
    domain: str | None  # the Host it came to; None when it came by path
    source_ip: str
    request_id: str
    raw_headers: list[tuple[str, str]]  # as received, a repeated header once per line
    signer: Credential | None = None  # whose valid SigV4 signature (for execute-api) it bears
    signature_error: ServiceError | None = None  # why a signature it bears does not hold


class ExecuteApiPlane(Protocol):
    """One service's data plane: REST APIs, or HTTP and WebSocket APIs."""

    def owns(self, api_id: str) -> bool:
        """Whether `api_id` is one of its APIs (it may read the store: called off the event
        loop where reads wait; answers are expected to be cached)."""
        ...

    async def serve(self, call: ExecuteApiCall) -> HttpResponse: ...


class WebSocketPlane(ExecuteApiPlane, Protocol):
    """A plane that also takes WebSocket connections (ASGI `websocket` scopes) to its APIs."""

    async def serve_websocket(
        self, call: ExecuteApiCall, scope: Scope, receive: Receive, send: Send
    ) -> None: ...


def parse(http: HttpRequest) -> tuple[str, str | None, str, str | None] | None:
    """(api id, stage or None, path, domain or None) when `http` is a deployed API's request."""
    host = http.headers.get("host", "")
    if match := _HOST.match(host):
        return match.group(1), None, http.path or "/", host.split(":")[0]
    if http.path.startswith("/_aws/execute-api/") and (match := _AWS_PATH.match(http.path)):
        return match.group(1), None, match.group(2) or "/", None
    if http.path.startswith("/restapis/") and (match := _USER_REQUEST.match(http.path)):
        return match.group(1), match.group(2), match.group(3) or "/", None
    return None


# What API Gateway answers for a request no API of this node owns (an unknown id behind a
# resolvable host): its "no such route" gateway response.
NOT_FOUND = HttpResponse(
    403,
    [("Content-Type", "application/json"), ("x-amzn-ErrorType", "ForbiddenException")],
    b'{"message":"Forbidden"}',
)


class ExecuteApiLayer:
    def __init__(
        self,
        app: ASGIApp,
        planes: Sequence[ExecuteApiPlane],
        executor: Executor | None = None,
        reads_inline: bool = True,
        credentials: CachedCredentials | None = None,
    ) -> None:
        self.app = app
        self.planes = list(planes)
        self.executor = executor
        self.reads_inline = reads_inline
        self.credentials = credentials
        self.verifier = Verifier()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = edge_request(scope)
        found = parse(request.http)
        if found is None:
            await self.app(scope, receive, send)
            return
        api_id, stage, path, domain = found
        client = scope.get("client") or ("127.0.0.1", 0)
        raw = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        signer, error = await self.signer(request)
        call = ExecuteApiCall(
            request.http, api_id, stage, path, domain, client[0], request.request_id, raw,
            signer, error,
        )  # fmt: skip
        plane = await self.owner(api_id)
        response = NOT_FOUND if plane is None else await plane.serve(call)
        await send_response(send, response)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A WebSocket connection: only deployed APIs take them; any other is refused (a
        close before the accept: the server answers the upgrade HTTP 403)."""
        raw = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        raw_path = scope.get("raw_path") or scope["path"].encode()
        http = HttpRequest(
            "GET",
            raw_path.decode("latin-1").split("?", 1)[0],
            scope.get("query_string", b"").decode("latin-1"),
            Headers(raw),
        )
        found = parse(http)
        plane = None if found is None else await self.owner(found[0])
        serve_websocket = getattr(plane, "serve_websocket", None)
        if found is None or serve_websocket is None:
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 1008})
            return
        api_id, stage, path, domain = found
        client = scope.get("client") or ("127.0.0.1", 0)
        call = ExecuteApiCall(http, api_id, stage, path, domain, client[0], ids.request_id(), raw)
        await serve_websocket(call, scope, receive, send)

    async def owner(self, api_id: str) -> ExecuteApiPlane | None:
        for plane in self.planes:
            if self.reads_inline or self.executor is None:
                owns = plane.owns(api_id)
            else:
                owns = await asyncio.get_running_loop().run_in_executor(
                    self.executor, plane.owns, api_id
                )
            if owns:
                return plane
        return None

    async def signer(self, request: EdgeRequest) -> tuple[Credential | None, ServiceError | None]:
        """Who signed the request, or why its signature does not hold; (None, None) unsigned."""
        try:
            if read_signature(request) is None:
                return None, None
        except ServiceError as error:
            return None, error
        if request.signing_service != "execute-api":
            return None, ServiceError(
                "InvalidSignatureException",
                "Credential should be scoped to correct service: 'execute-api'. ",
                403,
            )
        credential = await self.credential(request.access_key or "")
        if credential is None or not credential.active or credential.expired():
            return None, ServiceError(
                "UnrecognizedClientException",
                "The security token included in the request is invalid.",
                403,
            )
        request.credential = credential
        try:
            self.verifier.verify(request, time.time())
        except ServiceError as error:
            return None, error
        return credential, None

    async def credential(self, access_key: str) -> Credential | None:
        if self.credentials is None or not access_key:
            return None
        return await self.credentials.find(access_key, self.executor, self.reads_inline)
