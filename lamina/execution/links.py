"""How Lamina talks to a runtime process: the seam between an execution environment and the
protocol its runtime speaks. Built-in runtimes use the private channel (ChannelLink); custom
runtimes (provided.*) use AWS's Runtime API over HTTP (runtime_api.RuntimeApiLink).

Either way the environment sees the same frames (channel.Frame): READY or INIT_ERROR once,
then RESULT or ERROR per invocation; ChannelClosed when the runtime went away.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from abc import ABC, abstractmethod
from collections.abc import Awaitable
from dataclasses import replace
from typing import Any

from lamina.execution import channel
from lamina.execution.channel import Frame
from lamina.execution.sandbox.base import SandboxSpec
from lamina.execution.streaming import ResponseSink


class RuntimeLink(ABC):
    # Whether observe() delivers anywhere (an environment with extensions): when not, the
    # environment makes no telemetry records an invocation.
    observed = False

    @abstractmethod
    def prepare(self, spec: SandboxSpec) -> SandboxSpec:
        """Before the spawn: the spec with what the process needs to find its link."""

    def spawned(self) -> None:  # noqa: B027 - a hook: most links hold nothing for the child
        """After the spawn (or a failed one): drop the child's ends held here."""

    @abstractmethod
    async def ready(self, specialize: dict[str, Any]) -> Frame:
        """Specialize the runtime and wait for its init: READY, or INIT_ERROR {error}."""

    @abstractmethod
    async def invoke(self, header: dict[str, Any], payload: bytes, sink: ResponseSink) -> Frame:
        """One invocation: RESULT (body: the response) or ERROR {error}. A runtime that
        streams its answer writes it to `sink`, and its frame says `streamed`."""

    def observe(self, kind: str, record: Any) -> None:  # noqa: B027 - a hook
        """A telemetry record of the environment (a log line, platform.report), for the
        links that deliver them (the Telemetry API's)."""

    def settling(self) -> Awaitable[None] | None:
        """After an invocation: what the environment must wait for before it is reused (its
        extensions asking for their next event), or None."""
        return None

    def shutdown(self, reason: str) -> Awaitable[None] | None:
        """At the environment's end: what to wait for before its processes are killed (its
        extensions handling SHUTDOWN), or None."""
        return None

    @abstractmethod
    def close(self) -> None: ...


class ChannelLink(RuntimeLink):
    """A Unix socket pair; the child's end is passed as an fd named in _LAMINA_CHANNEL_FD."""

    def __init__(self) -> None:
        self._ours, self._theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self._channel: channel.FrameProtocol | None = None

    def prepare(self, spec: SandboxSpec) -> SandboxSpec:
        fd = self._theirs.fileno()
        env = dict(spec.env, _LAMINA_CHANNEL_FD=str(fd))
        return replace(spec, env=env, pass_fds=(*spec.pass_fds, fd))

    def spawned(self) -> None:
        self._theirs.close()

    async def _connected(self) -> channel.FrameProtocol:
        if self._channel is None:
            loop = asyncio.get_running_loop()
            _, self._channel = await loop.create_unix_connection(
                channel.FrameProtocol, sock=self._ours
            )
        return self._channel

    async def ready(self, specialize: dict[str, Any]) -> Frame:
        connected = await self._connected()
        connected.write(channel.encode(channel.SPECIALIZE, specialize))
        return await connected.next_frame()

    async def invoke(self, header: dict[str, Any], payload: bytes, sink: ResponseSink) -> Frame:
        connected = await self._connected()
        connected.write(channel.encode(channel.INVOKE, header, payload))
        while True:
            frame = await connected.next_frame()
            if frame.kind == channel.CHUNK:
                await sink.write(frame.body)
            elif frame.kind == channel.STREAM:
                await sink.begin(str(frame.header.get("content_type") or ""))
            else:
                return frame

    def close(self) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is already closed at shutdown
            if self._channel is not None:
                self._channel.close()
        self._ours.close()
        self._theirs.close()
