"""Lamina's own routes under /_lamina/: health, reset, metrics (Prometheus), and code downloads
(Code.Location).

They are not AWS endpoints: a function calling them (a request on the sandboxes' listener)
gets 403 AccessDeniedException. Code downloads are the exception: they stand for the
presigned S3 URLs of GetFunction's Code.Location, which a function with the right to call
GetFunction may fetch on AWS too."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from lamina.edge.request import edge_request, send_response
from lamina.edge.sandbox_callers import from_sandbox
from lamina.protocol.errors import ServiceError
from lamina.protocol.http import HttpResponse
from lamina.types import Receive, Scope, Send

if TYPE_CHECKING:
    from lamina.node import Node

_CODE = re.compile(r"^/_lamina/code/([0-9a-f]{64})\.zip$")


def _json(status: int, body: dict[str, Any]) -> HttpResponse:
    return HttpResponse(status, [("Content-Type", "application/json")], json.dumps(body).encode())


class InternalRoutes:
    def __init__(self, node: Node) -> None:
        self.node = node

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        http = edge_request(scope).http
        route = (http.method, http.path.rstrip("/"))
        if from_sandbox(scope) and not (http.method == "GET" and _CODE.match(http.path)):
            raise ServiceError(
                "AccessDeniedException",
                "Lamina's own endpoints (/_lamina/) do not answer execution environments.",
                403,
            )
        if route == ("GET", "/_lamina/health"):
            response = _json(200, self.node.health())
        elif route == ("POST", "/_lamina/reset"):
            response = await self.reset()
        elif route == ("GET", "/_lamina/metrics"):
            response = self.metrics()
        elif http.method == "GET" and (match := _CODE.match(http.path)):
            response = self.code(match.group(1))
        else:
            raise ServiceError(
                "UnknownOperationException", f"No route {http.method} {http.path}", 404
            )
        await send_response(send, response)

    async def reset(self) -> HttpResponse:
        if not self.node.settings.reset_allowed:
            raise ServiceError(
                "AccessDeniedException",
                "Reset is off for a shared store; set LAMINA_ALLOW_RESET=1 to allow it.",
                403,
            )
        await self.node.reset()
        return _json(200, {"reset": True})

    def metrics(self) -> HttpResponse:
        """This node's metrics in Prometheus's text format."""
        content_type = "text/plain; version=0.0.4; charset=utf-8"
        return HttpResponse(200, [("Content-Type", content_type)], self.node.prometheus().encode())

    def code(self, digest: str) -> HttpResponse:
        try:
            data = self.node.store.blobs.get(digest)
        except KeyError:
            raise ServiceError("NoSuchKey", "The specified key does not exist.", 404) from None
        return HttpResponse(200, [("Content-Type", "application/zip")], data)
