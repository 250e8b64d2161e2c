"""Layer: function URLs' requests, told from AWS API calls before the protocol layer runs
(DESIGN decision 13), by Host (`<url-id>.lambda-url.<region>.localhost`) or by path on the
main port (`/_lamina/url/<url-id>/…`), and handed to Lambda's data plane.

A signed request's SigV4 signature is checked here (for AuthType AWS_IAM), with the same
verifier as AWS API calls; whether the URL needs it is the data plane's question."""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor

from lamina.edge.auth import Verifier, read_signature
from lamina.edge.request import EdgeRequest, edge_request, send_response
from lamina.http_events.url_call import UrlCall
from lamina.identity import CachedCredentials, Credential
from lamina.protocol.errors import ServiceError
from lamina.protocol.http import HttpResponse
from lamina.types import ASGIApp, Receive, Scope, Send

_HOST = re.compile(r"^([a-z0-9]{32})\.lambda-url\.[a-z0-9-]+\.[^:]+(?::\d+)?$")
_PATH = re.compile(r"^/_lamina/url/([a-z0-9]{32})(/.*)?$")

Serve = Callable[[UrlCall], Awaitable[HttpResponse]]


class FunctionUrlLayer:
    def __init__(
        self,
        app: ASGIApp,
        serve: Serve,
        credentials: CachedCredentials | None,
        executor: Executor | None = None,
        reads_inline: bool = True,
    ) -> None:
        self.app = app
        self.serve = serve
        self.credentials = credentials
        self.executor = executor
        self.reads_inline = reads_inline
        self.verifier = Verifier()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = edge_request(scope)
        http = request.http
        host = http.headers.get("host", "")
        domain: str | None = None
        match = _HOST.match(host)
        if match:
            url_id, path, domain = match.group(1), http.path or "/", host.split(":")[0]
        elif http.path.startswith("/_lamina/url/") and (match := _PATH.match(http.path)):
            url_id, path = match.group(1), match.group(2) or "/"
        else:
            await self.app(scope, receive, send)
            return
        client = scope.get("client") or ("127.0.0.1", 0)
        raw = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        caller = await self.caller(request)
        call = UrlCall(http, url_id, path, domain, client[0], request.request_id, caller, raw)
        await send_response(send, await self.serve(call))

    async def caller(self, request: EdgeRequest) -> Credential | None:
        """Who signed the request for `lambda`, when it is signed and the signature holds."""
        if request.signing_service != "lambda" or not request.access_key:
            return None
        try:
            if read_signature(request) is None:
                return None
        except ServiceError:
            return None
        credential = await self.credential(request.access_key)
        if credential is None or not credential.active or credential.expired():
            return None
        request.credential = credential
        try:
            self.verifier.verify(request, time.time())
        except ServiceError:
            return None
        return credential

    async def credential(self, access_key: str) -> Credential | None:
        if self.credentials is None:
            return None
        return await self.credentials.find(access_key, self.executor, self.reads_inline)
