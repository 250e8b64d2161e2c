"""result_within: a task's result within a time, the task left running when time is up."""

from __future__ import annotations

import asyncio

import pytest

from lamina.awaiting import result_within


def test_a_result_in_time_is_given_and_an_exception_raised() -> None:
    async def main() -> None:
        assert await result_within(asyncio.ensure_future(asyncio.sleep(0, "done")), 5) == "done"

        async def fails() -> None:
            raise KeyError("x")

        with pytest.raises(KeyError):
            await result_within(asyncio.ensure_future(fails()), 5)

    asyncio.run(main())


def test_time_up_raises_and_leaves_the_task_running_to_its_end() -> None:
    async def main() -> None:
        task = asyncio.ensure_future(asyncio.sleep(0.2, "late"))
        with pytest.raises(TimeoutError):
            await result_within(task, 0.01)
        assert not task.done()
        assert await task == "late"

    asyncio.run(main())


def test_cancelling_the_caller_does_not_cancel_the_task() -> None:
    async def main() -> None:
        task = asyncio.ensure_future(asyncio.sleep(0.1, "kept"))
        waiting = asyncio.ensure_future(result_within(task, 5))
        await asyncio.sleep(0.01)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert await task == "kept"

    asyncio.run(main())
