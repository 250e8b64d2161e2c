"""Run a node under uvicorn: bind first (a busy port: one line, exit 1), serve, stop cleanly.

The port is bound at once but listens only when the node serves (asyncio calls listen() once
start-up is done): until then a client is refused and retries, instead of being accepted by a
socket that does not answer yet."""

from __future__ import annotations

import contextlib
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
    (the sandboxes' listener) serve in the same loop, start after it and stop before it."""

    def __init__(
        self,
        config: uvicorn.Config,
        ready: str,
        companions: list[tuple[uvicorn.Server, socket.socket]] | None = None,
    ) -> None:
        super().__init__(config)
        self.ready = ready
        self.companions = companions or []

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            for companion, sock in self.companions:
                companion.config.load()
                companion.lifespan = companion.config.lifespan_class(companion.config)
                await companion.startup(sockets=[sock])
            log.info("%s", self.ready)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for companion, sock in self.companions:
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
        server_header=False,
        date_header=False,
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
    companions = []
    if node.sandbox_listener is not None:
        # The AWS endpoint as functions reach it: the same app, its callers marked as theirs.
        sandbox = uvicorn.Server(_config(SandboxCallersLayer(node.app), lifespan="off"))
        companions.append((sandbox, node.sandbox_listener))
    server = _Server(config, ready, companions)
    try:
        server.run(sockets=[sock])
    finally:
        node.close()
        sock.close()
    log.info("stopped")
    return 0
