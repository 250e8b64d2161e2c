"""The work queue's node side, on a store of its own: holding at most a kind's hold limit,
spilling the rest to the store for a poll, renewing and giving up leases, retrying a failed
item after its kind's backoff and dead-lettering it once exhausted, and keeping one busy kind
from taking the places of another."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import pytest
import sqlalchemy as sa

from lamina.store import open_store
from lamina.store.batch import BatchWriter
from lamina.store.schema import work_items
from lamina.work import items as rows
from lamina.work.items import WorkItem
from lamina.work.kinds import Backoff, WorkKind
from lamina.work.queue import WorkQueue

QUICK = Backoff((0.05,))


def _kind(
    run: Callable[[WorkItem[str]], Awaitable[None]],
    name: str = "test:echo",
    hold_limit: int = 1000,
    backoff: Backoff = QUICK,
    dead_letter=None,
) -> WorkKind[str]:
    return WorkKind(
        name, str.encode, bytes.decode, run, backoff, dead_letter, hold_limit=hold_limit
    )


def _leases(store) -> list[str | None]:
    with store.read() as conn:
        query = sa.select(work_items.c.lease_owner).order_by(work_items.c.id)
        return [row[0] for row in conn.execute(query)]


async def _until(check: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check() and time.monotonic() < deadline:
        await asyncio.sleep(0.02)


@pytest.fixture
def store(tmp_path):
    opened = open_store(f"sqlite:///{tmp_path / 'q.db'}", tmp_path)
    yield opened
    opened.close()


def test_items_over_the_hold_limit_wait_in_the_store_and_run_later(store):
    async def scenario() -> list[str]:
        gate, ran = asyncio.Event(), []

        async def run(item: WorkItem[str]) -> None:
            await gate.wait()
            ran.append(item.value)

        queue = WorkQueue(BatchWriter(store, "test-writer"), "node-a", alone=True)
        kind = _kind(run, hold_limit=2)
        queue.register(kind)
        await queue.start()
        for n in range(5):
            await queue.put(kind.item("000000000000", "us-east-1", f"req-{n}"))
        assert queue.held("test:echo") == 2
        assert _leases(store) == ["node-a", "node-a", None, None, None]
        gate.set()
        await _until(lambda: len(ran) == 5)
        await queue.stop()
        queue.close()
        return ran

    ran = asyncio.run(scenario())
    assert sorted(ran) == [f"req-{n}" for n in range(5)]
    with store.read() as conn:
        assert rows.count(conn) == 0  # a handler that returns has its item deleted


def test_a_busy_kind_leaves_room_for_another(store):
    async def scenario() -> list[str]:
        ran: list[str] = []

        async def stuck(item: WorkItem[str]) -> None:
            await asyncio.sleep(60)

        async def quick(item: WorkItem[str]) -> None:
            ran.append(item.value)

        queue = WorkQueue(BatchWriter(store, "test-writer"), "node-a", alone=True)
        busy, other = _kind(stuck, "test:busy", hold_limit=3), _kind(quick, "test:quick")
        queue.register(busy)
        queue.register(other)
        with store.write() as conn:  # enqueued in another transaction: found by a poll
            for n in range(10):
                rows.enqueue(conn, busy.item("000000000000", "us-east-1", f"b{n}"))
            rows.enqueue(conn, other.item("000000000000", "us-east-1", "q"))
        await queue.start()
        await _until(lambda: ran == ["q"])
        assert queue.held("test:busy") == 3
        await queue.stop(grace_s=0.1)
        queue.close()
        return ran

    assert asyncio.run(scenario()) == ["q"]
    with store.read() as conn:
        assert rows.count(conn, "test:busy") == 10
        assert rows.count(conn, "test:quick") == 0


def test_a_failing_item_is_retried_then_dead_lettered(store):
    async def scenario() -> tuple[list[int], list[tuple[str, str]]]:
        runs: list[int] = []
        dead: list[tuple[str, str]] = []

        async def fail(item: WorkItem[str]) -> None:
            runs.append(item.attempts)
            raise RuntimeError("no luck")

        async def dead_letter(item: WorkItem[str], error: BaseException) -> None:
            dead.append((item.value, str(error)))

        queue = WorkQueue(BatchWriter(store, "test-writer"), "node-a", alone=True)
        kind = _kind(fail, backoff=Backoff((0.05, 0.1), max_attempts=3), dead_letter=dead_letter)
        queue.register(kind)
        await queue.start()
        await queue.put(kind.item("000000000000", "us-east-1", "doomed"))
        await _until(lambda: bool(dead))
        await queue.stop()
        queue.close()
        return runs, dead

    runs, dead = asyncio.run(scenario())
    assert runs == [0, 1, 2]
    assert dead == [("doomed", "no luck")]
    with store.read() as conn:
        assert rows.count(conn) == 0


def test_finish_deletes_the_item_and_enqueues_what_follows_in_one_transaction(store):
    async def scenario() -> list[str]:
        ran: list[str] = []
        queue = WorkQueue(BatchWriter(store, "test-writer"), "node-a", alone=True)

        async def first(item: WorkItem[str]) -> None:
            await queue.finish(item, lambda conn: rows.enqueue(conn, then.item("0", "r", "next")))

        async def second(item: WorkItem[str]) -> None:
            ran.append(item.value)

        then = _kind(second, "test:then")
        queue.register(kind := _kind(first, "test:first"))
        queue.register(then)
        await queue.start()
        await queue.put(kind.item("000000000000", "us-east-1", "first"))
        queue.poke()
        await _until(lambda: bool(ran))
        await queue.stop()
        queue.close()
        return ran

    assert asyncio.run(scenario()) == ["next"]


def test_a_starting_node_gives_up_the_leases_it_held_before(store):
    async def hold(item: WorkItem[str]) -> None:
        await asyncio.sleep(60)  # held, not finished

    kind = _kind(hold)
    with store.write() as conn:
        rows.enqueue(
            conn, kind.item("000000000000", "us-east-1", "1"), ("node-a", time.time() + 60)
        )
        rows.enqueue(
            conn, kind.item("000000000000", "us-east-1", "2"), ("node-b", time.time() + 60)
        )

    async def scenario() -> None:
        queue = WorkQueue(BatchWriter(store, "test-writer"), "node-a", alone=False)
        queue.register(kind)
        await queue.start()
        await asyncio.sleep(0.3)
        # node-a's old lease was given up and the item taken again; node-b's stands.
        assert sorted(_leases(store), key=str) == ["node-a", "node-b"]
        assert queue.held() == 1
        await queue.stop(grace_s=0.1)
        queue.close()

    asyncio.run(scenario())
    assert sorted(_leases(store), key=str) == [None, "node-b"]
