"""Layer: read the request body once, refusing one larger than Lamina accepts."""

from __future__ import annotations

from lamina.edge.request import edge_request
from lamina.protocol.errors import ServiceError
from lamina.types import ASGIApp, Receive, Scope, Send


class RequestTooLarge(ServiceError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            "RequestEntityTooLargeException",
            f"Request must be smaller than {limit} bytes.",
            413,
        )


class BodyLayer:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = edge_request(scope)
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size <= self.max_bytes:
                chunks.append(chunk)
            elif size > 2 * self.max_bytes:
                break  # drained enough; the connection closes after the answer
            if not message.get("more_body"):
                break
        if size > self.max_bytes:
            # Read (and dropped) so the client sees the 413 rather than a reset connection.
            raise RequestTooLarge(self.max_bytes)
        request.http.body = b"".join(chunks)
        await self.app(scope, receive, send)
