"""Layer: requests to deployed APIs (API Gateway's data plane, `execute-api`), told from AWS API
calls before the protocol layer runs (DESIGN decision 13), in one place, and handed to the
plane that owns the API: REST APIs (apigateway) or HTTP and WebSocket APIs (apigatewayv2).

An API answers on the main port at
- `http://{api-id}.execute-api.localhost:{port}/{stage}/…` (any `{api-id}.execute-api.<…>`
  Host: browsers and curl resolve `*.localhost` themselves, other clients send the Host);
- `/_aws/execute-api/{api-id}/{stage}/…`, and `/restapis/{api-id}/{stage}/_user_request_/…`,
  the path forms LocalStack's users have in their scripts;
- a custom domain name's Host (`api.example.com`, or the `d-xxxxxxxxxx.execute-api.localhost`
  it is served at), at the API and stage its mapping for the path names: any Host that is not
  one AWS API calls come with (127.0.0.1, localhost, `*.localhost`, an IP address, the
  configured host) is looked up in the custom domains, a dict lookup (the directory reads the
  store at most once a second), so AWS API calls never wait for it.

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
from lamina.edge.account import read_credential
from lamina.edge.auth import Verifier, read_signature
from lamina.edge.request import EdgeRequest, edge_request, send_response
from lamina.identity import CachedCredentials, Credential
from lamina.protocol.errors import ServiceError
from lamina.protocol.http import Headers, HttpRequest, HttpResponse
from lamina.types import ASGIApp, Receive, Scope, Send

_HOST = re.compile(r"^([a-z0-9]{10})\.execute-api\.[^:]+(?::\d+)?$")
_AWS_PATH = re.compile(r"^/_aws/execute-api/([a-z0-9]{10})(/.*)?$")
_USER_REQUEST = re.compile(r"^/restapis/([a-z0-9]{10})/([^/]+)/_user_request_(/.*)?$")
_TARGET_HOST = re.compile(r"^d-[a-z0-9]{10}\.execute-api\.localhost$")
_AWS_HOSTS = frozenset({"localhost", "127.0.0.1", ""})
_IPV4 = frozenset("0123456789.")


def takes_for_aws_calls(name: str, own_hosts: frozenset[str]) -> bool:
    """Whether a Host (lowercased, without port) is one AWS API calls come with: never a
    custom domain (CreateDomainName refuses these names)."""
    return (
        name in _AWS_HOSTS
        or name in own_hosts
        or name.endswith(".localhost")
        or name.startswith("[")  # an IPv6 address
        or set(name) <= _IPV4
    )


def host_name(host: str) -> str:
    """The Host header's name, lowercased, without its port."""
    if host.startswith("["):
        return host.lower()
    return host.rsplit(":", 1)[0].lower() if ":" in host else host.lower()


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
    # came through a custom domain: its path as sent, base path and all (the event shows it;
    # `path` is what follows the mapping's key, `stage` the mapping's)
    mapped_path: str | None = None


@dataclass(frozen=True)
class Found:
    """Which API a request is for, and where it came in."""

    api_id: str  # '' for a custom domain's path that no mapping serves
    stage: str | None
    path: str
    domain: str | None
    mapped_path: str | None = None


class Mapping(Protocol):
    @property
    def api_id(self) -> str: ...

    @property
    def stage(self) -> str | None: ...

    @property
    def path(self) -> str: ...


class DomainRoutes(Protocol):
    def route(self, path: str) -> Mapping | None: ...


class CustomDomains(Protocol):
    """The custom domains (lamina/services/custom_domains/directory.py)."""

    def stale(self) -> bool: ...

    def load(self) -> None: ...

    def find(self, host: str) -> DomainRoutes | None: ...


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


def parse(http: HttpRequest) -> Found | None:
    """Which API `http` is for, by an execute-api Host or path form; None for any other."""
    host = http.headers.get("host", "")
    if match := _HOST.match(host):
        return Found(match.group(1), None, http.path or "/", host.split(":")[0])
    return parse_path(http)


def parse_path(http: HttpRequest) -> Found | None:
    if http.path.startswith("/_aws/execute-api/") and (match := _AWS_PATH.match(http.path)):
        return Found(match.group(1), None, match.group(2) or "/", None)
    if http.path.startswith("/restapis/") and (match := _USER_REQUEST.match(http.path)):
        return Found(match.group(1), match.group(2), match.group(3) or "/", None)
    return None


def forbidden() -> HttpResponse:
    """What API Gateway answers for a request no API of this node owns (an unknown id behind a
    resolvable host), and on the default endpoint of a REST API that disabled it. A new one each
    time: a plane adds its headers to it on the way out."""
    return HttpResponse(
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
        domains: CustomDomains | None = None,
        own_hosts: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.planes = list(planes)
        self.domains = domains
        self.own_hosts = own_hosts
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
        found = await self.find(request.http)
        if found is None:
            await self.app(scope, receive, send)
            return
        client = scope.get("client") or ("127.0.0.1", 0)
        raw = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        signer, error = await self.signer(request)
        call = ExecuteApiCall(
            request.http, found.api_id, found.stage, found.path, found.domain, client[0],
            request.request_id, raw, signer, error, found.mapped_path,
        )  # fmt: skip
        plane = await self.owner(found.api_id) if found.api_id else None
        response = forbidden() if plane is None else await plane.serve(call)
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
        found = await self.find(http)
        plane = None if found is None or not found.api_id else await self.owner(found.api_id)
        serve_websocket = getattr(plane, "serve_websocket", None)
        if found is None or serve_websocket is None:
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 1008})
            return
        client = scope.get("client") or ("127.0.0.1", 0)
        # an AWS_IAM `$connect` wants the upgrade signed: headers, or a presigned query string
        upgrade = EdgeRequest(http)
        credential = read_credential(upgrade)
        if credential:
            upgrade.access_key, upgrade.region, upgrade.signing_service = credential
        signer, error = await self.signer(upgrade)
        call = ExecuteApiCall(
            http, found.api_id, found.stage, found.path, found.domain, client[0],
            ids.request_id(), raw, signer, error, mapped_path=found.mapped_path,
        )  # fmt: skip
        await serve_websocket(call, scope, receive, send)

    async def find(self, http: HttpRequest) -> Found | None:
        """Which API a request is for: by an execute-api Host, a custom domain's Host, or an
        execute-api path form, in that order; None for an AWS API call."""
        host = http.headers.get("host", "")
        if match := _HOST.match(host):
            return Found(match.group(1), None, http.path or "/", host.split(":")[0])
        name = host_name(host)
        if self.domains is not None and (
            _TARGET_HOST.match(name) or not takes_for_aws_calls(name, self.own_hosts)
        ):
            if self.domains.stale() and not self.reads_inline and self.executor is not None:
                await asyncio.get_running_loop().run_in_executor(self.executor, self.domains.load)
            routes = self.domains.find(name)
            if routes is not None:
                mapped = routes.route(http.path or "/")
                if mapped is None:
                    return Found("", None, http.path or "/", name)  # the domain's Forbidden
                return Found(mapped.api_id, mapped.stage, mapped.path, name, http.path or "/")
        return parse_path(http)

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
