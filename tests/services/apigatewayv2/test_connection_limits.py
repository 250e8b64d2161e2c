"""A WebSocket holder's own work, without a server: API Gateway's idle (10 min) and duration
(2 h) limits with an injected clock, and deliveries taken from a SQLite store by polling."""

from __future__ import annotations

import asyncio
from typing import Any

from lamina.services.apigatewayv2 import (
    connection_limits,
    connections,
    deliveries,
    holders,
    websocket_events,
)
from lamina.services.apigatewayv2.served import ServedApis
from lamina.services.apigatewayv2.websocket_plane import OpenSocket, WebSocketPlane
from lamina.store.engine import open_store


def test_idle_and_duration_limits_are_aws_s():
    assert (connection_limits.IDLE_TIMEOUT, connection_limits.MAX_DURATION) == (600, 7200)
    assert not connection_limits.expired(0, 0, 599.9)
    assert connection_limits.expired(0, 0, 600)  # idle 10 minutes
    assert not connection_limits.expired(0, 7000, 7199.9)  # busy, not yet 2 hours
    assert connection_limits.expired(0, 7199, 7200)  # 2 hours, however busy


def _socket(connection_id: str, connected_at: float, active_at: float, sent: list) -> OpenSocket:
    event = websocket_events.Connection(
        connection_id, "a1b2c3d4e5", "dev", "x", "127.0.0.1", "t", connected_at, [], ""
    )

    async def send(message: dict[str, Any]) -> None:
        sent.append((connection_id, message))

    return OpenSocket(event, "000000000000", "us-east-1", send, active_at)


def _plane(tmp_path) -> WebSocketPlane:
    store = open_store(f"sqlite:///{tmp_path / 'lamina.db'}", tmp_path)
    return WebSocketPlane(store, ServedApis(store), None, "node-a")  # type: ignore[arg-type]


def test_connections_past_their_limits_are_closed_going_away(tmp_path):
    plane = _plane(tmp_path)
    sent: list = []
    plane.open = {
        "fresh": _socket("fresh", 1000, 6700, sent),
        "idle": _socket("idle", 1000, 1000, sent),
        "old": _socket("old", 0, 7190, sent),
    }

    async def run() -> list[str]:
        closed = plane.enforce_limits(7200)
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert plane.enforce_limits(7200) == []  # closing already: not again
        return closed

    assert sorted(asyncio.run(run())) == ["idle", "old"]
    assert sorted(sent, key=lambda s: s[0]) == [
        ("idle", {"type": "websocket.close", "code": 1001}),
        ("old", {"type": "websocket.close", "code": 1001}),
    ]
    assert not plane.open["fresh"].closing
    plane.store.close()


def test_a_holder_on_sqlite_polls_for_its_deliveries(tmp_path):
    plane = _plane(tmp_path)
    sent: list = []
    plane.open = {"held": _socket("held", 1e12, 1e12, sent)}  # far from any limit
    deliveries.put(plane.store, "node-a", "held", deliveries.POST, b"one")
    deliveries.put(plane.store, "node-b", "held", deliveries.POST, b"not mine")
    deliveries.put(plane.store, "node-a", "gone", deliveries.POST, b"nobody")
    deliveries.put(plane.store, "node-a", "held", deliveries.DELETE)

    async def run() -> None:
        await plane.run()
        for _ in range(200):
            if len(sent) >= 2:
                break
            await asyncio.sleep(0.05)
        await plane.close()

    asyncio.run(run())
    assert sent[:2] == [
        ("held", {"type": "websocket.send", "text": "one"}),
        ("held", {"type": "websocket.close", "code": 1000}),
    ]
    assert deliveries.take(plane.store, "node-a") == []  # taken, and what had no socket dropped
    assert [d.data for d in deliveries.take(plane.store, "node-b")] == [b"not mine"]
    plane.store.close()


def test_the_rows_of_a_node_that_stopped_renewing_are_dropped(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'lamina.db'}", tmp_path)
    for node in ("alive", "dead"):
        connections.insert(
            store, connections.Row(f"c-{node}", "a1b2c3d4e5", "dev", node, "127.0.0.1", "t", 0)
        )
        deliveries.put(store, node, f"c-{node}", deliveries.POST, b"m")
    holders.renew(store, "alive", 0)
    holders.renew(store, "dead", 0)
    assert holders.sweep(store, holders.LEASE - 1) == []  # within the lease: both kept
    holders.renew(store, "alive", 50)
    assert holders.sweep(store, holders.LEASE + 1) == ["dead"]
    assert connections.find(store, "c-dead") is None
    assert deliveries.take(store, "dead") == []
    assert connections.find(store, "c-alive") is not None
    assert [d.data for d in deliveries.take(store, "alive")] == [b"m"]
    assert holders.sweep(store, holders.LEASE + 2) == []  # dropped once
    store.close()
