"""InvokeWithResponseStream, and the streaming invocations of RESPONSE_STREAM function URLs:
the invocation runs while its caller reads what the function writes, as it writes it.

Errors found before the function runs (no such function, a throttle, a bad payload) are the
operation's errors, as for Invoke; the response starts once the function begins to stream
(or has answered, if it does not stream: a buffered answer is sent in one piece). What goes
wrong after that is told in the stream's end (InvokeComplete's ErrorCode and ErrorDetails)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from lamina.context import RequestContext
from lamina.execution.function import InvocationRequest, InvocationResult
from lamina.execution.runtimes import RuntimeUnavailable
from lamina.execution.streaming import MAX_STREAMED, Guarded, StreamedResponse
from lamina.protocol.errors import ServiceError
from lamina.services.lambda_.arns import FunctionRef
from lamina.services.lambda_.errors import request_too_large
from lamina.services.lambda_.invoke import SYNC_PAYLOAD_LIMIT, Invoker, invocation_request

OPERATION = "InvokeWithResponseStream"


@dataclass
class StreamingInvocation:
    """A running invocation: what it streams, and its result once it is over."""

    version: str
    response: StreamedResponse
    task: asyncio.Task[InvocationResult]

    @property
    def answered(self) -> bool:
        """It is over without having streamed: its answer is a buffered one, all there."""
        return self.task.done() and not self.response.begun

    async def result(self) -> InvocationResult:
        return await self.task

    def abandon(self) -> None:
        """The caller is gone: the function runs on, its bytes are dropped."""
        self.response.drop()


class StreamingInvoker:
    def __init__(self, invoker: Invoker) -> None:
        self.invoker = invoker

    async def invoke_with_response_stream(
        self, ctx: RequestContext, ref: FunctionRef, params: dict[str, Any]
    ) -> dict[str, Any]:
        if (params.get("InvocationType") or "RequestResponse") == "DryRun":
            await self.invoker.functions.read(self.invoker.functions.find_for_invoke, ref)
            return {"StatusCode": 204}
        running = await self.start(ctx, ref, params)
        tail = params.get("LogType") == "Tail"
        return {
            "StatusCode": 200,
            "ExecutedVersion": running.version,
            "EventStream": Guarded(_events(running, tail), running.abandon),
        }

    async def start(
        self, ctx: RequestContext, ref: FunctionRef, params: dict[str, Any]
    ) -> StreamingInvocation:
        """Start the invocation; back once it streams, or has answered without streaming."""
        payload = params.get("Payload") or b""
        if len(payload) > SYNC_PAYLOAD_LIMIT:
            raise request_too_large(SYNC_PAYLOAD_LIMIT, OPERATION)
        functions = self.invoker.functions
        function = await functions.read(functions.find_for_invoke, ref)
        response = StreamedResponse()
        request = invocation_request(ctx, ref, params, payload, response)
        slot = await self.invoker.take_slot(ref, function)
        task = asyncio.create_task(self._run(ref, function, request, slot, response))
        try:
            await asyncio.wait((response.started, task), return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:  # the caller left before the first byte
            response.drop()
            raise
        if task.done() and task.exception() is not None:
            error = task.exception()
            if isinstance(error, RuntimeUnavailable):
                raise ServiceError("InvalidRuntimeException", str(error), 502, Type="User")
            raise error  # type: ignore[misc]
        return StreamingInvocation(function.version, response, task)

    async def _run(
        self,
        ref: FunctionRef,
        function: Any,
        request: InvocationRequest,
        slot: Any,
        response: StreamedResponse,
    ) -> InvocationResult:
        try:
            return await self.invoker.run_invocation(ref, function, request, slot)
        finally:
            response.end()


async def _events(running: StreamingInvocation, tail: bool) -> AsyncIterator[dict[str, Any]]:
    """PayloadChunk events as the function writes, then InvokeComplete."""
    async for chunk in running.response.chunks():
        yield {"PayloadChunk": {"Payload": chunk}}
    result = await running.result()
    complete: dict[str, Any] = {}
    if not result.streamed and not result.function_error and result.payload:
        yield {"PayloadChunk": {"Payload": result.payload}}  # a buffered answer, in one piece
    error = completion_error(running, result)
    if error is not None:
        complete["ErrorCode"], complete["ErrorDetails"] = error
    if tail:
        complete["LogResult"] = result.log_tail
    yield {"InvokeComplete": complete}


def completion_error(
    running: StreamingInvocation, result: InvocationResult
) -> tuple[str, str] | None:
    """(ErrorCode, ErrorDetails) of an invocation that failed: the error's type and message."""
    if running.response.too_large:
        size = running.response.size
        message = (
            f"Response payload size ({size} bytes) exceeded maximum allowed payload size "
            f"({MAX_STREAMED} bytes)."
        )
        return "Function.ResponseSizeTooLarge", message
    if not result.function_error:
        return None
    document: Any = None
    with contextlib.suppress(ValueError, UnicodeDecodeError):
        document = json.loads(result.payload)
    if not isinstance(document, dict):
        return result.function_error, result.payload.decode("utf-8", "replace")
    code = str(document.get("errorType") or result.function_error)
    return code, str(document.get("errorMessage") or "")
