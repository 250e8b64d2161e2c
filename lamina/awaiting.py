"""Wait for a task's result at most so long, leaving it running when time is up: API Gateway
answers the client at its integration timeout while the function runs on to its own. Cheaper
than asyncio.wait or wait_for(shield(...)) on the data planes' hot path: one future, one timer
and one callback, no sets and no second task."""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

T = TypeVar("T")


async def result_within(task: asyncio.Future[T], timeout_s: float) -> T:
    """The task's result (or its exception) if it ends within `timeout_s`; else TimeoutError,
    the task left running. Cancelling the caller does not cancel the task."""
    if not task.done():
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()

        def wake(_: Any = None) -> None:
            if not waiter.done():
                waiter.set_result(None)

        timer = loop.call_later(timeout_s, wake)
        task.add_done_callback(wake)
        try:
            await waiter
        finally:
            timer.cancel()
            task.remove_done_callback(wake)
        if not task.done():
            raise TimeoutError
    return task.result()
