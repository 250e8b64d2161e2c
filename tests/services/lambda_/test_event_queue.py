"""The event queue's node side, on a store of its own: holding at most hold_limit events,
spilling the rest to the store for a poll, renewing and giving up leases."""

from __future__ import annotations

import asyncio
import time

import pytest
import sqlalchemy as sa

from lamina.services.lambda_ import async_events as rows
from lamina.services.lambda_.async_events import AsyncEvent
from lamina.services.lambda_.event_queue import EventQueue
from lamina.store import open_store
from lamina.store.batch import BatchWriter
from lamina.store.schema import lambda_async_events


def _event(n: int) -> AsyncEvent:
    return AsyncEvent(f"req-{n}", "000000000000", "us-east-1", "fn", "", b"{}", "t", time.time())


def _leases(store) -> list[str | None]:
    with store.read() as conn:
        query = sa.select(lambda_async_events.c.lease_owner).order_by(lambda_async_events.c.id)
        return [row[0] for row in conn.execute(query)]


@pytest.fixture
def store(tmp_path):
    opened = open_store(f"sqlite:///{tmp_path / 'q.db'}", tmp_path)
    yield opened
    opened.close()


def test_events_over_the_hold_limit_wait_in_the_store_and_run_later(store):
    async def scenario() -> list[str]:
        gate, ran = asyncio.Event(), []
        writer = BatchWriter(store, "test-writer")

        async def run(event: AsyncEvent) -> None:
            await gate.wait()
            ran.append(event.request_id)
            await writer.write(lambda conn: rows.delete(conn, event.id))

        queue = EventQueue(writer, "node-a", run, alone=True, hold_limit=2)
        await queue.start()
        for n in range(5):
            await queue.put(_event(n))
        assert queue.held == 2
        assert _leases(store) == ["node-a", "node-a", None, None, None]
        gate.set()
        deadline = time.monotonic() + 10
        while len(ran) < 5 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await queue.stop()
        writer.close()
        return ran

    ran = asyncio.run(scenario())
    assert sorted(ran) == [f"req-{n}" for n in range(5)]
    with store.read() as conn:
        assert rows.count(conn) == 0


def test_a_starting_node_gives_up_the_leases_it_held_before(store):
    with store.write() as conn:
        rows.insert(conn, _event(1), ("node-a", time.time() + 60))
        rows.insert(conn, _event(2), ("node-b", time.time() + 60))

    async def scenario() -> None:
        writer = BatchWriter(store, "test-writer")

        async def run(event: AsyncEvent) -> None:
            await asyncio.sleep(60)  # held, not finished

        queue = EventQueue(writer, "node-a", run, alone=False)
        await queue.start()
        await asyncio.sleep(0.3)
        # node-a's old lease was given up and the event taken again; node-b's stands.
        assert sorted(_leases(store), key=str) == ["node-a", "node-b"]
        assert queue.held == 1
        await queue.stop(grace_s=0.1)
        writer.close()

    asyncio.run(scenario())
    assert sorted(_leases(store), key=str) == [None, "node-b"]
