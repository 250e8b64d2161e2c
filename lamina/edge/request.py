"""The per-request record the edge layers fill in as a request passes through them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lamina.protocol.http import Headers, HttpRequest, HttpResponse
from lamina.types import Scope, Send

if TYPE_CHECKING:
    from botocore.model import OperationModel

    from lamina.identity import Credential, Identity
    from lamina.services.registry import Service

SCOPE_KEY = "lamina.request"


@dataclass
class EdgeRequest:
    http: HttpRequest
    request_id: str = ""
    service: Service | None = None
    operation: OperationModel | None = None
    protocol: str | None = None
    account_id: str = ""
    region: str = ""
    access_key: str | None = None
    signing_service: str | None = None  # from the SigV4 credential scope
    identity: Identity | None = None  # who is calling (the IdentityLayer)
    credential: Credential | None = None  # what Lamina holds for the access key, if known
    extra: dict[str, object] = field(default_factory=dict)


def edge_request(scope: Scope) -> EdgeRequest:
    request = scope.get(SCOPE_KEY)
    if request is None:
        headers = Headers((k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"])
        raw_path = scope.get("raw_path") or scope["path"].encode()
        request = EdgeRequest(
            HttpRequest(
                method=scope["method"],
                path=raw_path.decode("latin-1").split("?", 1)[0],
                query=scope.get("query_string", b"").decode("latin-1"),
                headers=headers,
            )
        )
        scope[SCOPE_KEY] = request
    return request


def base_url(scope: Scope) -> str:
    """How the client reached us, so URLs we hand out (Code.Location) work from its side."""
    request = edge_request(scope)
    host = request.http.headers.get("host")
    if not host:
        server = scope.get("server") or ("127.0.0.1", 4566)
        host = f"{server[0]}:{server[1]}"
    return f"{scope.get('scheme', 'http')}://{host}"


async def send_response(send: Send, response: HttpResponse) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
    if response.stream is None:
        headers.append((b"content-length", str(len(response.body)).encode()))
    if response.stream is None:
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": response.body})
        return
    # Without a Content-Length the server sends the body chunked, each piece as it comes.
    try:
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        if response.body:
            await send({"type": "http.response.body", "body": response.body, "more_body": True})
        async for chunk in response.stream:
            if chunk:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
    finally:  # the client gone, or the stream failed: its producer learns it now, not at GC
        close = getattr(response.stream, "aclose", None)
        if close is not None:
            await close()
    await send({"type": "http.response.body", "body": b""})
