"""What an environment with external extensions adds to its runtime's link, whichever that is
(the Runtime API of a custom runtime, the channel of a built-in one): the Extensions and
Telemetry APIs' state, init waiting for the extensions, INVOKE events and telemetry records
around each invocation."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

from lamina.execution import channel
from lamina.execution.channel import Frame
from lamina.execution.runtime_api import http11
from lamina.execution.runtime_api.extensions import ExtensionsApi
from lamina.execution.runtime_api.telemetry import TelemetryApi
from lamina.execution.sandbox.network import HostNetwork

TELEMETRY = "/2022-07-01/telemetry"
_INIT = {"initializationType": "on-demand", "phase": "init"}


class ExtensionHost:
    def __init__(
        self,
        expected: int,
        env: dict[str, str],
        account_id: str,
        network: HostNetwork | None = None,
    ) -> None:
        self.function = {
            "functionName": env.get("AWS_LAMBDA_FUNCTION_NAME", ""),
            "functionVersion": env.get("AWS_LAMBDA_FUNCTION_VERSION", ""),
            "handler": env.get("_HANDLER", ""),
        }
        self.account_id = account_id  # told to extensions that accept the accountId feature
        self.expected = expected
        self.extensions: ExtensionsApi | None = None  # made on the loop, at init
        self.telemetry = TelemetryApi(network)  # its subscribers listen in the sandbox
        # Called once every extension has registered (a custom runtime's start waits for it).
        self.on_registered: Callable[[], None] | None = None

    async def init(self, runtime_ready: Awaitable[Frame]) -> Frame:
        """Init ends when the runtime and every extension have asked for their first event;
        an extension's /init/error (or the runtime's) ends it at once, failed."""
        self.extensions = extensions = ExtensionsApi(self.expected, self.function, self.account_id)
        started = time.perf_counter()
        self.telemetry.record("platform.initStart", {**_INIT, **self.function})
        runtime = asyncio.ensure_future(runtime_ready)
        ready = asyncio.ensure_future(extensions.ready())
        registered = asyncio.ensure_future(self._registered(extensions))
        failed = extensions.init_failed
        try:
            while True:
                watched: set[asyncio.Future[Any]] = {runtime, ready, failed}
                await asyncio.wait(watched, return_when=asyncio.FIRST_COMPLETED)
                if failed.done():
                    frame = Frame(channel.INIT_ERROR, {"error": failed.result()})
                    break
                if runtime.done() and (
                    runtime.exception() or runtime.result().kind != channel.READY
                ):
                    frame = runtime.result()  # raises what the runtime's link raised
                    break
                if runtime.done() and ready.done():
                    frame = runtime.result()
                    break
        finally:
            for waiting in (runtime, ready, registered):
                waiting.cancel()
        status = "success" if frame.kind == channel.READY else "error"
        self.telemetry.record("platform.initRuntimeDone", {**_INIT, "status": status})
        metrics = {"durationMs": round((time.perf_counter() - started) * 1000, 3)}
        self.telemetry.record(
            "platform.initReport", {**_INIT, "status": status, "metrics": metrics}
        )
        return frame

    async def _registered(self, extensions: ExtensionsApi) -> None:
        await extensions.registered.wait()
        if self.on_registered is not None:
            self.on_registered()

    async def invoke(self, header: dict[str, Any], runtime_done: Awaitable[Frame]) -> Frame:
        assert self.extensions is not None, "init() comes first"
        request_id = header["request_id"]
        version = self.function["functionVersion"]
        self.telemetry.record("platform.start", {"requestId": request_id, "version": version})
        started = time.perf_counter()
        self.extensions.invoke(header)
        frame = await runtime_done
        metrics = {
            "durationMs": round((time.perf_counter() - started) * 1000, 3),
            "producedBytes": len(frame.body),
        }
        status = "success" if frame.kind == channel.RESULT else "error"
        done = {"requestId": request_id, "status": status, "metrics": metrics}
        self.telemetry.record("platform.runtimeDone", done)
        return frame

    async def dispatch(self, request: http11.Request) -> bytes | None:
        """The answer to an Extensions or Telemetry API request; None: not one of theirs."""
        if self.extensions is None:
            return None
        if request.path == TELEMETRY:
            if request.method != "PUT":
                return http11.response(405, headers={"Allow": "PUT"})
            identifier = request.headers.get("lambda-extension-identifier", "")
            registered = identifier in self.extensions.extensions
            return await self.telemetry.subscribe(request, registered)
        return await self.extensions.dispatch(request)

    def settling(self) -> Awaitable[None] | None:
        return self.extensions.settled() if self.extensions is not None else None

    def shutdown(self, reason: str) -> Awaitable[None] | None:
        return self.extensions.shutdown(reason) if self.extensions is not None else None

    @property
    def reusable(self) -> bool:
        return self.extensions is None or not self.extensions.failed

    def close(self) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is already closed at shutdown
            self.telemetry.close()
