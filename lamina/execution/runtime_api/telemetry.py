"""AWS's Telemetry API for one environment: an extension subscribes an HTTP listener of its
own (PUT /2022-07-01/telemetry), and the environment's platform records and log lines are
POSTed to it in batches, as its buffering asks.

Records are kept from the environment's start, so a subscriber subscribed during init gets the
init's records too, as on Lambda. Every line the sandbox writes is a `function` record: the
runtime's and the extensions' output share one pipe here, so `extension` records are not told
apart (a subscription may name the type; it gets none). `sandbox.localdomain` is 127.0.0.1 of
the environment's network (network.py), reached on a socket made in it; every sandbox on that
network shares it, so two environments' listeners need different ports.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from lamina.execution.runtime_api import http11
from lamina.execution.runtime_api.http11 import Request
from lamina.execution.sandbox.network import HostNetwork

TYPES = ("platform", "function", "extension")
BUFFERING = {"maxItems": 1000, "maxBytes": 262144, "timeoutMs": 1000}  # AWS's defaults
KEPT = 10_000  # records held for subscribers yet to come, at most


@dataclass
class Subscriber:
    host: str
    port: int
    path: str
    types: tuple[str, ...]
    max_items: int
    max_bytes: int
    timeout_s: float
    pending: list[tuple[dict[str, Any], int]] = field(default_factory=list)  # (record, size)
    pending_bytes: int = 0
    arrived: asyncio.Event = field(default_factory=asyncio.Event)  # something is pending
    full: asyncio.Event = field(default_factory=asyncio.Event)  # maxItems are pending
    task: asyncio.Task[None] | None = None


class TelemetryApi:
    def __init__(self, network: HostNetwork | None = None) -> None:
        self.network = network or HostNetwork()
        self.records: list[dict[str, Any]] = []  # since the start, for late subscribers
        self.subscribers: list[Subscriber] = []

    def record(self, kind: str, record: Any) -> None:
        entry = {"time": _now(), "type": kind, "record": record}
        if len(self.records) < KEPT:
            self.records.append(entry)
        for subscriber in self.subscribers:
            self._offer(subscriber, entry)

    async def subscribe(self, request: Request, registered: bool) -> bytes:
        if not registered:
            return _error(403, "Extension.InvalidExtensionIdentifier", "Invalid extension")
        try:
            document = json.loads(request.body)
            uri = urlsplit(document["destination"]["URI"])
            types = tuple(document.get("types") or ())
            buffering = {**BUFFERING, **(document.get("buffering") or {})}
        except (ValueError, KeyError, TypeError, AttributeError):
            return _error(400, "ValidationError", "Invalid subscription request")
        if document["destination"].get("protocol") != "HTTP" or uri.scheme != "http":
            return _error(400, "ValidationError", "Lamina delivers telemetry over HTTP only")
        if not types or any(t not in TYPES for t in types):
            return _error(400, "ValidationError", f"types must be among {list(TYPES)}")
        host = "127.0.0.1" if uri.hostname in ("sandbox.localdomain", "sandbox") else uri.hostname
        subscriber = Subscriber(
            host or "127.0.0.1",
            uri.port or 80,
            uri.path or "/",
            types,
            int(buffering["maxItems"]),
            int(buffering["maxBytes"]),
            int(buffering["timeoutMs"]) / 1000,
        )
        self.subscribers.append(subscriber)
        for entry in self.records:
            self._offer(subscriber, entry)
        subscriber.task = asyncio.get_running_loop().create_task(self._deliver(subscriber))
        return http11.response(200, b"OK", "text/plain")

    def close(self) -> None:
        for subscriber in self.subscribers:
            if subscriber.task is not None:
                subscriber.task.cancel()

    def _offer(self, subscriber: Subscriber, entry: dict[str, Any]) -> None:
        if entry["type"].split(".")[0] in subscriber.types:
            size = len(json.dumps(entry))
            subscriber.pending.append((entry, size))
            subscriber.pending_bytes += size
            subscriber.arrived.set()
            if _full(subscriber):
                subscriber.full.set()

    async def _deliver(self, subscriber: Subscriber) -> None:
        """Batches to the listener: when maxItems are waiting, or timeoutMs after the first."""
        while True:
            await subscriber.arrived.wait()
            if not _full(subscriber):
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(subscriber.full.wait(), subscriber.timeout_s)
            batch: list[dict[str, Any]] = []
            size = 0
            for entry, entry_size in subscriber.pending:  # at least one, however big
                if batch and (
                    len(batch) >= subscriber.max_items or size + entry_size > subscriber.max_bytes
                ):
                    break
                batch.append(entry)
                size += entry_size
            del subscriber.pending[: len(batch)]
            subscriber.pending_bytes -= size
            if not subscriber.pending:
                subscriber.arrived.clear()
            if not _full(subscriber):
                subscriber.full.clear()
            with contextlib.suppress(OSError, TimeoutError):  # no listener there: dropped
                await asyncio.wait_for(_post(self.network, subscriber, batch), 5.0)


def _full(subscriber: Subscriber) -> bool:
    return (
        len(subscriber.pending) >= subscriber.max_items
        or subscriber.pending_bytes >= subscriber.max_bytes
    )


async def _post(network: HostNetwork, subscriber: Subscriber, batch: list[dict[str, Any]]) -> None:
    body = json.dumps(batch).encode()
    sock = network.socket()  # from the sandbox's side: its loopback is its own
    try:
        sock.setblocking(False)
        loop = asyncio.get_running_loop()
        await loop.sock_connect(sock, (subscriber.host, subscriber.port))
    except BaseException:
        sock.close()
        raise
    reader, writer = await asyncio.open_connection(sock=sock)
    try:
        head = (
            f"POST {subscriber.path} HTTP/1.1\r\nHost: sandbox.localdomain:{subscriber.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n"
        )
        writer.write(head.encode() + body)
        await writer.drain()
        await reader.read()  # until the listener closes: its answer does not matter
    finally:
        writer.close()


def _now() -> str:
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"


def _error(status: int, error_type: str, message: str) -> bytes:
    return http11.json_response(status, {"errorMessage": message, "errorType": error_type})
