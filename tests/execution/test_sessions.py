"""Role sessions shared by the environments a function version starts together
(lamina/execution/sessions.py): one lookup for a burst, a new one once it is stale, and a
failure never kept for later environments."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace

from lamina.execution.environment import InitError
from lamina.execution.function import FunctionSnapshot, RoleCredentials
from lamina.execution.sessions import RoleSessions

FUNCTION = FunctionSnapshot(
    account_id="000000000000", region="us-east-1", name="fn", version="$LATEST",
    arn="arn:aws:lambda:us-east-1:000000000000:function:fn", runtime="python3.12",
    handler="app.handler", memory_mb=128, timeout_s=3, ephemeral_storage_mb=512,
    code_digest="0" * 64, revision_id="r1", role="arn:aws:iam::000000000000:role/r",
)  # fmt: skip


class Source:
    """A blocking role lookup that counts its calls and answers once released."""

    def __init__(self, fail: bool = False) -> None:
        self.calls = 0
        self.fail = fail
        self.release = threading.Event()

    def __call__(self, function: FunctionSnapshot) -> RoleCredentials:
        self.calls += 1
        self.release.wait(10)
        if self.fail:
            raise InitError({"errorType": "InvalidParameterValueException"}, 0.0)
        return RoleCredentials(f"ASIA{self.calls}", "secret", "token")


async def burst(sessions: RoleSessions, source: Source, count: int) -> list:
    waiting = [asyncio.ensure_future(sessions.session(source, FUNCTION)) for _ in range(count)]
    await asyncio.sleep(0.05)
    source.release.set()
    return await asyncio.gather(*waiting, return_exceptions=True)


def test_environments_started_together_share_one_session():
    source = Source()
    answers = asyncio.run(burst(RoleSessions(fresh_s=3600), source, 20))
    assert source.calls == 1
    assert {a.access_key_id for a in answers} == {"ASIA1"}


def test_a_stale_session_or_another_revision_is_looked_up_again():
    source = Source()
    source.release.set()

    async def run() -> list[str]:
        sessions = RoleSessions(fresh_s=0.0)
        first = await sessions.session(source, FUNCTION)
        await asyncio.sleep(0.01)
        second = await sessions.session(source, FUNCTION)
        other = await RoleSessions(fresh_s=3600).session(
            source, replace(FUNCTION, revision_id="r2")
        )
        return [first.access_key_id, second.access_key_id, other.access_key_id]

    assert asyncio.run(run()) == ["ASIA1", "ASIA2", "ASIA3"]


def test_a_failed_lookup_is_shared_by_its_waiters_only():
    source = Source(fail=True)
    sessions = RoleSessions(fresh_s=3600)

    async def run() -> tuple[list, RoleCredentials]:
        failed = await burst(sessions, source, 5)
        source.fail = False
        return failed, await sessions.session(source, FUNCTION)

    failed, later = asyncio.run(run())
    assert all(isinstance(f, InitError) for f in failed)
    assert source.calls == 2  # once for the five, once more for the next environment
    assert later.access_key_id == "ASIA2"
