"""Long-poll wake-ups (lamina/services/sqs/waiting.py), as pure logic: a send of n messages
wakes the n longest-waiting receives and leaves the others waiting. The waits are long (the
store's look-again interval raised to a minute), so a finished wait is one that was woken."""

from __future__ import annotations

import asyncio

import pytest

from lamina.services.sqs import waiting
from lamina.services.sqs.waiting import Waiters


@pytest.fixture(autouse=True)
def _long_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(waiting, "POLL_S", 60.0)


async def _waiting(waiters: Waiters, queue_id: int, count: int) -> list[asyncio.Task[None]]:
    tasks = [asyncio.create_task(waiters.wait(queue_id, 60.0)) for _ in range(count)]
    await _turns()  # every task waits now, in creation order
    return tasks


async def _turns() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def _woken(tasks: list[asyncio.Task[None]]) -> list[bool]:
    woken = [task.done() for task in tasks]
    for task in tasks:
        task.cancel()
    return woken


def test_a_send_of_one_wakes_the_longest_waiting_receive_only() -> None:
    async def scenario() -> list[bool]:
        waiters = Waiters()
        tasks = await _waiting(waiters, 7, 3)
        waiters.notify(7, 1)
        await _turns()
        return _woken(tasks)

    assert asyncio.run(scenario()) == [True, False, False]


def test_a_send_of_two_wakes_two_and_no_waiter_of_another_queue() -> None:
    async def scenario() -> list[bool]:
        waiters = Waiters()
        mine = await _waiting(waiters, 1, 3)
        other = await _waiting(waiters, 2, 1)
        waiters.notify(1, 2)
        await _turns()
        return _woken(mine + other)

    assert asyncio.run(scenario()) == [True, True, False, False]


def test_a_cancelled_wait_is_not_counted_and_notify_all_wakes_every_one() -> None:
    async def scenario() -> tuple[list[bool], list[bool]]:
        waiters = Waiters()
        gone, *kept = await _waiting(waiters, 3, 3)
        gone.cancel()  # its client went away
        await _turns()
        waiters.notify(3, 1)
        await _turns()
        first = [task.done() for task in kept]
        waiters.notify_all(3)
        await _turns()
        return first, _woken(kept)

    first, after = asyncio.run(scenario())
    assert first == [True, False]
    assert after == [True, True]
