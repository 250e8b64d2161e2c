"""Layer: every failure becomes an AWS error in the caller's protocol, never a bare page.

ServiceErrors are answered as they are; anything unexpected is logged with its traceback and
answered as AWS answers its own faults: InternalFailure (ServiceException for Lambda), 500.
"""

from __future__ import annotations

import json
import logging

from lamina.edge.request import EdgeRequest, edge_request, send_response
from lamina.edge.unserved import UnservedService
from lamina.protocol.errors import InternalFailure, ServiceError
from lamina.protocol.http import HttpResponse
from lamina.protocol.serialize import serialize_error
from lamina.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("lamina.edge")

# Services whose model names their own catch-all fault; others answer InternalFailure.
_FAULT_CODES = {"lambda": "ServiceException"}


class ErrorLayer:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except ServiceError as error:
            if started:
                raise
            await send_response(send, error_response(edge_request(scope), error))
        except Exception:
            request = edge_request(scope)
            log.exception("unexpected fault serving %s %s", request.http.method, request.http.path)
            if started:
                return
            service = request.service.name if request.service else ""
            fault = InternalFailure(code=_FAULT_CODES.get(service, "InternalFailure"))
            await send_response(send, error_response(request, fault))


def error_response(request: EdgeRequest, error: ServiceError) -> HttpResponse:
    if isinstance(error, UnservedService):
        # a service Lamina does not serve: written from that service's model all the same
        return serialize_error(
            error.model,
            error.operation,
            error,
            request_id=request.request_id,
            protocol=error.protocol,
        )
    if request.service is not None:
        return serialize_error(
            request.service.model,
            request.operation,
            error,
            request_id=request.request_id,
            protocol=request.protocol,
        )
    # No service known: the shape every JSON-speaking AWS client can read.
    status = error.status or (400 if error.sender_fault else 500)
    body = json.dumps({"__type": error.code, "message": error.message}).encode()
    headers = [
        ("Content-Type", "application/x-amz-json-1.1"),
        ("x-amzn-ErrorType", error.code),
        ("x-amzn-RequestId", request.request_id),
    ]
    return HttpResponse(status, headers, body)
