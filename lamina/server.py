"""Run a node under uvicorn: bind first (a busy port: one line, exit 1), serve, stop cleanly.

The port is bound at once but listens only when the node serves (asyncio calls listen() once
start-up is done): until then a client is refused and retries, instead of being accepted by a
socket that does not answer yet."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from types import FrameType
from typing import Literal

import uvicorn

from lamina import __version__
from lamina.config import Settings
from lamina.edge.sandbox_callers import SandboxCallersLayer
from lamina.types import ASGIApp

log = logging.getLogger("lamina")


class _Server(uvicorn.Server):
    """uvicorn re-raises SIGTERM/SIGINT after a graceful stop; Lamina exits 0 instead. It says
    `ready` once the node serves (start-up done, the port listening), not before. Companions
    (the sandboxes' listeners, one per sandbox network, the VPC one made while serving) serve
    `sandbox_app` in the same loop, start after it and stop before it."""

    def __init__(self, config: uvicorn.Config, ready: str, sandbox_app: ASGIApp) -> None:
        super().__init__(config)
        self.ready = ready
        self.sandbox_app = sandbox_app
        self.companions: list[tuple[uvicorn.Server, socket.socket]] = []
        self._loop: asyncio.AbstractEventLoop | None = None  # set while it serves
        self._lock = threading.Lock()

    def serve_sandboxes(self, sock: socket.socket) -> None:
        """Serve a sandboxes' listener too, from now on or from start-up (any thread)."""
        companion = uvicorn.Server(_config(self.sandbox_app, lifespan="off"))
        with self._lock:
            self.companions.append((companion, sock))
            loop = self._loop
        if loop is not None:
            asyncio.run_coroutine_threadsafe(_start(companion, sock), loop)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            with self._lock:
                self._loop = asyncio.get_running_loop()
                waiting = list(self.companions)
            for companion, sock in waiting:
                await _start(companion, sock)
            _settle_garbage_collector()
            log.info("%s", self.ready)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        with self._lock:
            self._loop = None
            companions = list(self.companions)
        for companion, sock in companions:
            if companion.started:
                companion.force_exit = self.force_exit
                await companion.shutdown(sockets=[sock])
        await super().shutdown(sockets)

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in _STOP_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        log.info("stopping (signal %s): finishing requests in flight", signal.Signals(sig).name)
        super().handle_exit(sig, frame)


def _settle_garbage_collector() -> None:
    """Start-up's objects (botocore's models, compiled shapes, routes: hundreds of thousands)
    never become garbage, yet every full collection walked them, and a collection of the
    youngest generation ran every 700 new containers: a few times per request. Frozen out of
    the collector, and collected every 10,000, a warm invoke at wrk -c64 costs the event loop
    215-228 us of CPU instead of 260-270 (BENCHMARKS.md). Cycles are still found and freed,
    only later."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)


async def _start(companion: uvicorn.Server, sock: socket.socket) -> None:
    companion.config.load()
    companion.lifespan = companion.config.lifespan_class(companion.config)
    await companion.startup(sockets=[sock])


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio turns on TCP_NODELAY only for sockets that say they are TCP,
    # and without it every answer (headers, then body) waits ~40 ms on Nagle and delayed ACKs.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def _config(app: ASGIApp, lifespan: Literal["on", "off"]) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        lifespan=lifespan,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=8,
        # The client is the connection's peer, as AWS sees it: uvicorn would otherwise take
        # a local caller's X-Forwarded-For for its address (a function URL's sourceIp).
        proxy_headers=False,
        server_header=False,
        date_header=False,
        # WebSocket APIs' connections (websockets, a dependency): a message over API Gateway's
        # 128 KB closes the connection with 1009, as on AWS.
        ws="auto",
        ws_max_size=128 * 1024,
    )


def describe_store(settings: Settings) -> str:
    if settings.database_url:
        from sqlalchemy.engine import make_url

        return (
            f"postgresql at {make_url(settings.database_url).render_as_string(hide_password=True)}"
        )
    return f"sqlite at {settings.data_dir / 'lamina.db'}"


def serve(settings: Settings) -> int:
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Start-up says one line (where it listens, which store); migrations speak only of trouble.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        sock = bind(settings.host, settings.port)
    except OSError as error:
        print(
            f"lamina: cannot listen on {settings.host}:{settings.port}: {error.strerror}",
            file=sys.stderr,
        )
        return 1
    from lamina.node import Node  # imported late: a busy port should fail before this cost

    # The port actually bound (0 asks for any): functions call back to it.
    node = Node(replace(settings, port=sock.getsockname()[1]))
    config = _config(node.app, lifespan="on")
    port = sock.getsockname()[1]
    store = describe_store(settings)
    ready = f"Lamina {__version__} listening on http://{settings.host}:{port} (store: {store})"
    # The AWS endpoint as functions reach it: the same app, its callers marked as theirs.
    server = _Server(config, ready, SandboxCallersLayer(node.app))
    node.serve_sandboxes(server.serve_sandboxes)
    try:
        server.run(sockets=[sock])
    finally:
        node.close()
        sock.close()
    log.info("stopped")
    return 0
