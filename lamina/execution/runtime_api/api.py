"""The Runtime API's routes and the state AWS keeps for a runtime, for one environment.

States and their names (Started, Ready, InitError, RuntimeResponseSentState), errors
(InvalidRequestID, InvalidStateTransition, RequestEntityTooLarge), statuses and messages are
those of AWS's Runtime Interface Emulator, the reference implementation of this API.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

from lamina.execution import channel
from lamina.execution.channel import Frame
from lamina.execution.runtime_api import http11
from lamina.execution.runtime_api.http11 import Request
from lamina.execution.streaming import DEFAULT_CONTENT_TYPE, ResponseSink

# Lambda's response limit as its Runtime API enforces it: 6 MiB and 100 bytes.
MAX_PAYLOAD = 6 * 1024 * 1024 + 100

STARTED, READY, INIT_ERROR = "Started", "Ready", "InitError"
RESPONSE, ERROR_RESPONSE = "InvocationResponse", "InvocationErrorResponse"
RESPONSE_SENT = "RuntimeResponseSentState"

_ID = r"(?P<request_id>[^/]+)"
ROUTES = (
    ("GET", re.compile(r"/2018-06-01/runtime/invocation/next"), "next"),
    ("POST", re.compile(rf"/2018-06-01/runtime/invocation/{_ID}/response"), "response"),
    ("POST", re.compile(rf"/2018-06-01/runtime/invocation/{_ID}/error"), "error"),
    ("POST", re.compile(r"/2018-06-01/runtime/init/error"), "init_error"),
)
ACCEPTED = http11.json_response(202, {"status": "OK"})
NOT_FOUND = http11.response(  # Go's http.NotFound, as AWS's router answers
    404, b"404 page not found\n", "text/plain; charset=utf-8", {"X-Content-Type-Options": "nosniff"}
)


@dataclass
class Invocation:
    header: dict[str, Any]  # request_id, deadline_ms, invoked_function_arn, trace_id, ...
    payload: bytes
    done: asyncio.Future[Frame]  # RESULT or ERROR, set by the runtime's answer
    sink: ResponseSink  # where a streamed answer goes, as it comes

    @property
    def request_id(self) -> str:
        return str(self.header["request_id"])


class RuntimeApi:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.init: asyncio.Future[Frame] = loop.create_future()  # READY or INIT_ERROR
        self._state = STARTED
        self._waiter: asyncio.Future[Invocation] | None = None  # a /next waiting for an event
        self._queued: Invocation | None = None  # an event waiting for a /next
        self._current: Invocation | None = None  # handed out, not yet answered
        self._answered = ""

    def deliver(self, invocation: Invocation) -> None:
        """Hand an event to the waiting /next, or keep it for the next one."""
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(invocation)
        else:  # the runtime is between its answer and its next /next
            self._queued = invocation

    async def dispatch(self, request: Request) -> bytes:
        allowed = []
        for method, pattern, name in ROUTES:
            match = pattern.fullmatch(request.path)
            if match is None:
                continue
            if request.method == method:
                answer: bytes = await getattr(self, name)(request, **match.groupdict())
                return answer
            allowed.append(method)
        if allowed:  # the path is known: AWS's router answers 405 with no body
            return http11.response(405, headers={"Allow": ", ".join(allowed)})
        return NOT_FOUND

    # -- the routes --------------------------------------------------------------------------

    async def next(self, request: Request) -> bytes:
        if self._state == INIT_ERROR:
            return self._forbidden(READY)
        if self._state == STARTED:  # the first /next is the end of init
            self.init.set_result(Frame(channel.READY, {}))
        self._state = READY
        invocation, self._queued = self._queued, None
        if invocation is None:  # the long poll: held until an invoke comes
            self._waiter = asyncio.get_running_loop().create_future()
            invocation = await self._waiter
        self._current = invocation
        headers = event_headers(invocation.header)
        # An invoke without a payload is the event {} (awslambdaric would not parse nothing).
        event = invocation.payload or b"{}"
        return http11.response(200, event, "application/json", headers)

    async def response(self, request: Request, request_id: str) -> bytes:
        invocation = self._current
        if invocation is None or invocation.request_id != request_id:
            return self._wrong_request(request_id, RESPONSE)
        if request.streamed:
            return await self._streamed(request, invocation)
        size = len(request.body)
        if size > MAX_PAYLOAD:
            error = {
                "errorMessage": f"Response payload size ({size} bytes) exceeded maximum "
                f"allowed payload size ({MAX_PAYLOAD} bytes).",
                "errorType": "Function.ResponseSizeTooLarge",
            }
            self._answer(invocation, Frame(channel.ERROR, {"error": error}))
            message = f"Exceeded maximum allowed payload size ({MAX_PAYLOAD} bytes)."
            return _error_response(413, "RequestEntityTooLarge", message)
        self._answer(invocation, Frame(channel.RESULT, {}, request.body))
        return ACCEPTED

    async def _streamed(self, request: Request, invocation: Invocation) -> bytes:
        """A streamed response: each piece to the invocation's sink as it arrives; an error
        in the trailers (Lambda-Runtime-Function-Error-Type/-Body) ends it failed."""
        content_type = request.headers.get("content-type") or DEFAULT_CONTENT_TYPE
        await invocation.sink.begin(content_type)
        if request.stream is None:  # streaming mode with a Content-Length: one piece
            await invocation.sink.write(request.body)
        else:
            async for piece in request.stream:
                await invocation.sink.write(piece)
        error_type = request.trailers.get("lambda-runtime-function-error-type")
        if error_type:
            error = _trailer_error(error_type, request.trailers)
            self._answer(invocation, Frame(channel.ERROR, {"error": error, "streamed": True}))
        else:
            self._answer(invocation, Frame(channel.RESULT, {"streamed": True}))
        return ACCEPTED

    async def error(self, request: Request, request_id: str) -> bytes:
        invocation = self._current
        if invocation is None or invocation.request_id != request_id:
            return self._wrong_request(request_id, ERROR_RESPONSE)
        self._answer(invocation, Frame(channel.ERROR, {"error": error_document(request)}))
        return ACCEPTED

    async def init_error(self, request: Request) -> bytes:
        if self._state != STARTED:
            return self._forbidden(INIT_ERROR)
        self._state = INIT_ERROR
        self.init.set_result(Frame(channel.INIT_ERROR, {"error": error_document(request)}))
        return ACCEPTED

    # -- answers -----------------------------------------------------------------------------

    def _answer(self, invocation: Invocation, frame: Frame) -> None:
        self._current, self._answered, self._state = None, invocation.request_id, RESPONSE_SENT
        if not invocation.done.done():
            invocation.done.set_result(frame)

    def _wrong_request(self, request_id: str, target: str) -> bytes:
        # AWS checks the id against the current invocation's, then the state: a second answer
        # to the same invocation is a state error, any other id an invalid one.
        if request_id == self._answered and self._state == RESPONSE_SENT:
            return self._forbidden(target)
        return _error_response(400, "InvalidRequestID", "Invalid request ID")

    def _forbidden(self, target: str) -> bytes:
        message = (
            f"State transition from {self._state} to {target} failed for runtime. "
            "Error: State transition is not allowed"
        )
        return _error_response(403, "InvalidStateTransition", message)


def _error_response(status: int, error_type: str, message: str) -> bytes:
    return http11.json_response(status, {"errorMessage": message, "errorType": error_type})


def event_headers(header: dict[str, Any]) -> dict[str, str]:
    """The headers of a /next answer; AWS leaves out those it has no value for."""
    headers = {
        "Lambda-Runtime-Aws-Request-Id": str(header["request_id"]),
        "Lambda-Runtime-Deadline-Ms": str(int(header["deadline_ms"])),
        "Lambda-Runtime-Invoked-Function-Arn": str(header.get("invoked_function_arn") or ""),
        "Lambda-Runtime-Trace-Id": str(header.get("trace_id") or ""),
    }
    if header.get("client_context") is not None:
        headers["Lambda-Runtime-Client-Context"] = json.dumps(header["client_context"])
    if header.get("identity"):
        headers["Lambda-Runtime-Cognito-Identity"] = json.dumps(header["identity"])
    return {name: value for name, value in headers.items() if value}


def _trailer_error(error_type: str, trailers: dict[str, str]) -> dict[str, Any]:
    """The error a runtime put in its stream's trailers: the body is base64 of the error's
    JSON, as AWS's runtime clients send it."""
    try:
        raw = base64.b64decode(trailers.get("lambda-runtime-function-error-body", ""))
        document = json.loads(raw) if raw else {}
    except (binascii.Error, ValueError, UnicodeDecodeError):
        document = None
    if not isinstance(document, dict):
        document = {}
    document.setdefault("errorType", error_type)
    document.setdefault("errorMessage", "")
    return document


def error_document(request: Request) -> dict[str, Any]:
    """What the invoker gets for a posted error: the runtime's JSON ({errorMessage, errorType,
    stackTrace}), its type from Lambda-Runtime-Function-Error-Type when the body has none."""
    try:
        document = json.loads(request.body) if request.body else {}
    except (ValueError, UnicodeDecodeError):
        document = None
    if not isinstance(document, dict):
        document = {"errorMessage": request.body.decode("utf-8", "replace")}
    error_type = request.headers.get("lambda-runtime-function-error-type")
    if error_type and not document.get("errorType"):
        document["errorType"] = error_type
    return document
