"""Layer: every answer carries x-amzn-RequestId, the same id the provider and the logs see."""

from __future__ import annotations

from lamina import ids
from lamina.edge.request import edge_request
from lamina.types import ASGIApp, Message, Receive, Scope, Send

_HEADER = b"x-amzn-requestid"


class RequestIdLayer:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = edge_request(scope)
        request.request_id = ids.request_id()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == _HEADER for name, _ in headers):
                    headers.append((b"x-amzn-RequestId", request.request_id.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_id)
