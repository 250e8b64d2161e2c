"""Execution-role sessions shared by the environments a function version starts together.

Each new environment needs its role's credentials (an IAM lookup and an STS AssumeRole in the
store, a few milliseconds of the server's CPU). When a version scales out, its environments
start within the same moment: they share one session, looked up once, as long as it is at
most FRESH_S old, the same staleness the function's configuration has (a second). Later
environments get a new one, so a role deleted or changed meanwhile fails or changes the next
cold start, as before. A failed lookup is shared only by those that waited for it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from lamina.execution.function import FunctionSnapshot, RoleCredentials

FRESH_S = 1.0

Source = Callable[[FunctionSnapshot], RoleCredentials | None]
_Key = tuple[tuple[str, str, str, str], str, str]


class RoleSessions:
    def __init__(self, fresh_s: float = FRESH_S) -> None:
        self.fresh_s = fresh_s
        self._sessions: dict[_Key, tuple[float, asyncio.Future[RoleCredentials | None]]] = {}

    async def session(self, source: Source, function: FunctionSnapshot) -> RoleCredentials | None:
        """The role's session for a new environment of `function` (the source is blocking:
        it runs in a thread, once for all who ask within FRESH_S)."""
        key = (function.key, function.revision_id, function.role)
        now = time.monotonic()
        found = self._sessions.get(key)
        if found is None or (found[1].done() and now - found[0] > self.fresh_s):
            self._forget_stale(now)
            future = asyncio.get_running_loop().run_in_executor(None, source, function)
            found = self._sessions[key] = (now, future)
        future = found[1]
        try:
            return await asyncio.shield(future)  # a cancelled waiter leaves it to the others
        except BaseException:
            if future.done() and self._sessions.get(key, (0.0, None))[1] is future:
                del self._sessions[key]  # not kept: the next environment asks again
            raise

    def _forget_stale(self, now: float) -> None:
        stale = [k for k, (at, f) in self._sessions.items() if f.done() and now - at > self.fresh_s]
        for key in stale:
            del self._sessions[key]
