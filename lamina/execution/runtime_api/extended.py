"""ExtendedLink: a built-in runtime's link (the channel) with external extensions beside it.

A stem cell's sandbox was started before its function was known, so its extensions cannot be
started by the sandbox's first process: the runtime's bootstrap starts them when it is
specialized (before it loads the handler), pointed at this link's own listener, which serves
the Extensions and Telemetry APIs (ExtensionHost) for this environment alone.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable
from typing import Any

from lamina.execution.channel import Frame
from lamina.execution.links import RuntimeLink
from lamina.execution.runtime_api import http11
from lamina.execution.runtime_api.host import ExtensionHost
from lamina.execution.sandbox.base import SandboxSpec
from lamina.execution.sandbox.network import HostNetwork
from lamina.execution.streaming import ResponseSink

NOT_FOUND = http11.response(404, b"404 page not found\n", "text/plain; charset=utf-8")


class ExtendedLink(RuntimeLink):
    def __init__(
        self,
        inner: RuntimeLink,
        executables: list[str],
        env: dict[str, str],
        account_id: str,
        network: HostNetwork | None = None,
    ) -> None:
        self.inner = inner
        self.executables = executables  # as the sandbox sees them
        self.network = network or HostNetwork()  # where the sandbox is, and so its listener
        self.host = ExtensionHost(len(executables), env, account_id, self.network)
        self._server: asyncio.Server | None = None
        self._connections: dict[asyncio.Task[Any], asyncio.StreamWriter] = {}
        self._closed = False

    def prepare(self, spec: SandboxSpec) -> SandboxSpec:
        return self.inner.prepare(spec)

    def spawned(self) -> None:
        self.inner.spawned()

    async def ready(self, specialize: dict[str, Any]) -> Frame:
        sock = self.network.listener()
        sock.listen(64)
        sock.setblocking(False)
        self._server = await asyncio.start_server(self._serve, sock=sock)
        address = f"127.0.0.1:{sock.getsockname()[1]}"
        extensions = {"runtime_api": address, "executables": self.executables}
        return await self.host.init(self.inner.ready({**specialize, "extensions": extensions}))

    async def invoke(self, header: dict[str, Any], payload: bytes, sink: ResponseSink) -> Frame:
        return await self.host.invoke(header, self.inner.invoke(header, payload, sink))

    observed = True

    def observe(self, kind: str, record: Any) -> None:
        self.host.telemetry.record(kind, record)

    def settling(self) -> Awaitable[None] | None:
        return self.host.settling()

    def shutdown(self, reason: str) -> Awaitable[None] | None:
        return None if self._closed else self.host.shutdown(reason)

    @property
    def reusable(self) -> bool:
        return self.host.reusable

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.host.close()
        with contextlib.suppress(RuntimeError):  # the loop is already closed at shutdown
            if self._server is not None:
                self._server.close()
            for task, writer in list(self._connections.items()):
                task.cancel()  # an /event/next held in its long poll, among others
                writer.close()
        self.inner.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections[task] = writer
        try:
            await http11.serve(reader, writer, self._answer, lambda: not self._closed)
        finally:
            self._connections.pop(task, None)

    async def _answer(self, request: http11.Request) -> bytes:
        answer = await self.host.dispatch(request)
        return answer if answer is not None else NOT_FOUND
