"""RuntimeApiLink: one environment's Runtime API server, behind the RuntimeLink seam.

Each environment gets its own listener on 127.0.0.1 and an ephemeral port of the sandboxes'
network (network.py), named to the runtime in AWS_LAMBDA_RUNTIME_API, so every request is its
environment's without any lookup.

The runtime's exit is seen through a lifeline: the write end of a pipe, inherited by the
bootstrap and everything it starts, whose read end here turns readable (EOF) once all of them
are gone. An HTTP server alone cannot tell a dead runtime from an idle one.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import Awaitable
from dataclasses import replace
from typing import Any

from lamina.execution.channel import ChannelClosed, Frame
from lamina.execution.links import RuntimeLink
from lamina.execution.runtime_api import http11
from lamina.execution.runtime_api.api import Invocation, RuntimeApi
from lamina.execution.runtime_api.host import ExtensionHost
from lamina.execution.sandbox import identity
from lamina.execution.sandbox.base import SandboxSpec
from lamina.execution.sandbox.network import HostNetwork
from lamina.execution.streaming import ResponseSink

# In a custom runtime's argv: the fd its start reads from, once every extension registered.
REGISTERED_FD = "{registered_fd}"


class RuntimeApiLink(RuntimeLink):
    """AWS's Runtime API for a custom runtime (provided.*). The function's environment is given
    at construction: a custom runtime reads it at process start, there is no specialization."""

    def __init__(
        self,
        env: dict[str, str],
        extensions: int = 0,
        account_id: str = "",
        network: HostNetwork | None = None,
    ) -> None:
        self.env = env
        self.network = network or HostNetwork()
        # The extensions started from /opt/extensions before the runtime, if any.
        self.host = ExtensionHost(extensions, env, account_id, self.network) if extensions else None
        self._sock: socket.socket | None = None
        self._lifeline = self._theirs = -1
        self._loop: asyncio.AbstractEventLoop | None = None
        self._api: RuntimeApi | None = None
        self._server: asyncio.Server | None = None
        self._connections: dict[asyncio.Task[Any], asyncio.StreamWriter] = {}
        self._exited: asyncio.Future[None] | None = None
        self._closed = False
        # With extensions: a pipe the runtime's start waits on until they have registered.
        self._go_read = self._go_write = -1
        if self.host is not None:
            self.host.on_registered = self._let_runtime_start

    def prepare(self, spec: SandboxSpec) -> SandboxSpec:
        # Listening before the spawn: connections queue in the backlog until ready() serves.
        self._sock = self.network.listener()
        self._sock.listen(64)
        self._sock.setblocking(False)
        port = self._sock.getsockname()[1]
        self._lifeline, self._theirs = os.pipe()
        env = {**spec.env, **self.env, "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{port}"}
        fds, argv = (*spec.pass_fds, self._theirs), spec.argv
        if self.host is not None:
            self._go_read, self._go_write = os.pipe()
            identity.reopenable_by_sandbox(self._go_read, 0o644)  # START_EXTENSIONS reads
            fds += (self._go_read,)
            argv = [a.replace(REGISTERED_FD, str(self._go_read)) for a in argv]
        return replace(spec, env=env, argv=argv, pass_fds=fds)

    def spawned(self) -> None:
        if self._theirs >= 0:
            os.close(self._theirs)
            self._theirs = -1
        if self._go_read >= 0:
            os.close(self._go_read)
            self._go_read = -1

    def _let_runtime_start(self) -> None:
        if self._go_write >= 0:
            with contextlib.suppress(OSError):  # the sandbox is gone already
                os.write(self._go_write, b"\n")
            os.close(self._go_write)
            self._go_write = -1

    async def ready(self, specialize: dict[str, Any]) -> Frame:
        """The end of init: the runtime's first /next (READY) or its /init/error."""
        assert self._sock is not None, "prepare() comes first"
        self._loop = loop = asyncio.get_running_loop()
        self._api, self._exited = RuntimeApi(loop), loop.create_future()
        loop.add_reader(self._lifeline, self._on_lifeline)
        self._server = await asyncio.start_server(self._serve, sock=self._sock)
        if self.host is None:
            return await self._until(self._api.init)
        return await self.host.init(self._until(self._api.init))

    async def invoke(self, header: dict[str, Any], payload: bytes, sink: ResponseSink) -> Frame:
        assert self._api is not None, "ready() comes first"
        done = asyncio.get_running_loop().create_future()
        invocation = Invocation(header, payload, done, sink)
        self._api.deliver(invocation)
        if self.host is None:
            return await self._until(invocation.done)
        return await self.host.invoke(header, self._until(invocation.done))

    @property
    def observed(self) -> bool:  # type: ignore[override]
        return self.host is not None

    def observe(self, kind: str, record: Any) -> None:
        if self.host is not None:
            self.host.telemetry.record(kind, record)

    def settling(self) -> Awaitable[None] | None:
        return self.host.settling() if self.host is not None else None

    def shutdown(self, reason: str) -> Awaitable[None] | None:
        if self.host is None or self._closed:
            return None
        return self.host.shutdown(reason)

    @property
    def reusable(self) -> bool:
        return self.host is None or self.host.reusable

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.host is not None:
            self.host.close()
        with contextlib.suppress(RuntimeError):  # the loop is already closed at shutdown
            self._stop_serving()
        if self._sock is not None:
            self._sock.close()
        for fd in (self._lifeline, self._theirs, self._go_read, self._go_write):
            if fd >= 0:
                os.close(fd)
        self._lifeline = self._theirs = self._go_read = self._go_write = -1

    def _stop_serving(self) -> None:
        if self._loop is not None and self._lifeline >= 0:
            self._loop.remove_reader(self._lifeline)
        if self._server is not None:
            self._server.close()
        for task, writer in list(self._connections.items()):
            task.cancel()  # a /next held in its long poll, among others
            writer.close()
        if self._exited is not None and not self._exited.done():
            self._exited.set_result(None)

    async def _until(self, future: asyncio.Future[Frame]) -> Frame:
        """The future's frame, or ChannelClosed once the runtime has exited without it."""
        assert self._exited is not None
        if not future.done():
            await asyncio.wait((future, self._exited), return_when=asyncio.FIRST_COMPLETED)
        if future.done():
            return future.result()
        raise ChannelClosed("the runtime exited")

    def _on_lifeline(self) -> None:
        try:
            if os.read(self._lifeline, 4096):
                return  # the runtime wrote to the inherited end: it is still there
        except BlockingIOError:
            return
        assert self._loop is not None and self._exited is not None
        self._loop.remove_reader(self._lifeline)
        if not self._exited.done():
            self._exited.set_result(None)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One connection: requests answered in turn, kept alive as runtime clients expect."""
        task = asyncio.current_task()
        assert task is not None and self._api is not None
        self._connections[task] = writer
        try:
            await http11.serve(reader, writer, self._answer, lambda: not self._closed)
        finally:
            self._connections.pop(task, None)

    async def _answer(self, request: http11.Request) -> bytes:
        """Extensions' and Telemetry's paths first, when this environment has a host for them;
        every other path is the Runtime API's."""
        assert self._api is not None
        if self.host is not None:
            answer = await self.host.dispatch(request)
            if answer is not None:
                return answer
        return await self._api.dispatch(request)
