"""Warm execution environments per function version: reused while warm, grown with concurrent
demand, retired on a new revision, reaped when idle."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from lamina.execution.environment import ExecutionEnvironment
from lamina.execution.function import FunctionSnapshot, RoleCredentials
from lamina.execution.launcher import Launcher, StemKey
from lamina.execution.provisioned import ProvisionedEnvironments
from lamina.execution.sessions import RoleSessions
from lamina.execution.stemcells import StemCells

log = logging.getLogger("lamina.execution")

# An environment is retired before its role credentials expire: it must not start an
# invocation that could outlast them (the function's timeout, and this margin).
CREDENTIALS_MARGIN_S = 60.0


@dataclass
class _Versions:
    revision_id: str
    idle: list[ExecutionEnvironment] = field(default_factory=list)
    busy: int = 0  # environments in use, starting ones included
    starting: int = 0
    freed: asyncio.Event = field(default_factory=asyncio.Event)  # set when one comes back


class EnvironmentPool:
    def __init__(self, launcher: Launcher, idle_timeout_s: float) -> None:
        self.launcher = launcher
        self.stemcells = StemCells(launcher)
        self.provisioned = ProvisionedEnvironments(
            self._new, lambda env: not _credentials_ending(env.function)
        )
        self.idle_timeout_s = idle_timeout_s
        self._pools: dict[tuple[str, str, str, str], _Versions] = {}
        self._reaper: asyncio.Task[None] | None = None
        # The execution role's credentials for a new environment (blocking; run in a thread;
        # raises InitError when the role cannot be assumed). None: the default ones.
        self.credentials: Callable[[FunctionSnapshot], RoleCredentials | None] | None = None
        self.sessions = RoleSessions()  # one lookup for the environments started together

    async def acquire(
        self, function: FunctionSnapshot, patience_s: float = 0.0
    ) -> tuple[ExecutionEnvironment, float | None]:
        """An on-demand environment: a warm one (init None), else a new one and its init
        duration (provisioned ones are taken with the invocation's slot). With
        `patience_s`, a busy function's caller first waits that long for one of its
        environments to come back (queued work need not scale out for every burst).
        Raises InitError when the function's init fails."""
        self._start_reaper()
        pool = self._pool(function)
        env = self._warm(pool)
        if env is None and patience_s > 0 and pool.busy:
            env = await self._wait_for_one(pool, patience_s)
        pool.busy += 1
        if env is not None:
            return env, None
        pool.starting += 1
        try:
            return await self._new(function)
        except BaseException:
            pool.busy -= 1
            raise
        finally:
            pool.starting -= 1
            pool.freed.set()

    async def _wait_for_one(
        self, pool: _Versions, patience_s: float
    ) -> ExecutionEnvironment | None:
        """Wait up to `patience_s` for an environment to come back; past it, still wait while
        another is starting (queued work scales out one environment at a time per function,
        as Lambda, too, limits how fast a function scales)."""
        deadline = time.monotonic() + patience_s
        while True:
            env = self._warm(pool)
            left = deadline - time.monotonic()
            if env is not None or (left <= 0 and not pool.starting):
                return env
            pool.freed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(pool.freed.wait(), left if left > 0 else None)

    def _warm(self, pool: _Versions) -> ExecutionEnvironment | None:
        while pool.idle:
            env = pool.idle.pop()  # the most recently used: the warmest
            alive = not env.dead and env.process is not None and env.process.poll() is None
            if alive and not _credentials_ending(env.function):
                return env
            env.destroy()
        return None

    async def _new(self, function: FunctionSnapshot) -> tuple[ExecutionEnvironment, float | None]:
        waiting_since = time.perf_counter()
        if self.credentials is not None:
            issued = await self.sessions.session(self.credentials, function)
            if issued is not None:
                function = replace(
                    function,
                    credentials=issued.environment(),
                    credentials_expire_at=issued.expires_at,
                )
        cell = self.stemcells.take(StemKey.of(function))
        if cell is not None:  # prewarmed: only the specialization is left
            self.launcher.assign(cell, function)
            return cell, await cell.specialize(waiting_since)
        # Made and spawned in a thread: its directories and code links are per environment
        # work the event loop need not wait for.
        loop = asyncio.get_running_loop()
        env = await loop.run_in_executor(None, self._spawned, function)
        return env, await env.specialize(env.spawned_at)

    def _spawned(self, function: FunctionSnapshot) -> ExecutionEnvironment:
        env = self.launcher.environment(function)
        env.spawn(self.launcher.backend)
        return env

    def release(self, env: ExecutionEnvironment) -> None:
        if env.provisioned:
            self.provisioned.give_back(env)
            return
        pool = self._pools.get(env.function.key)
        if pool is not None and pool.revision_id == env.function.revision_id:
            pool.busy -= 1
        if env.dead or pool is None or pool.revision_id != env.function.revision_id:
            env.destroy()  # crashed, timed out, or its function has changed since
            return
        env.last_used = time.monotonic()
        pool.idle.append(env)
        pool.freed.set()

    def _pool(self, function: FunctionSnapshot) -> _Versions:
        pool = self._pools.get(function.key)
        if pool is None or pool.revision_id != function.revision_id:
            if pool is not None:  # code or configuration changed: the old ones retire
                for env in pool.idle:
                    env.destroy()
            pool = self._pools[function.key] = _Versions(function.revision_id)
        return pool

    def _start_reaper(self) -> None:
        if self._reaper is None or self._reaper.done():
            self._reaper = asyncio.get_running_loop().create_task(self._reap_forever())

    async def _reap_forever(self) -> None:
        while True:
            await asyncio.sleep(min(30.0, max(0.1, self.idle_timeout_s / 2)))
            self.reap()

    def reap(self) -> None:
        cutoff = time.monotonic() - self.idle_timeout_s
        for pool in self._pools.values():
            stale = [env for env in pool.idle if env.last_used < cutoff]
            for env in stale:
                pool.idle.remove(env)
                env.destroy()
            if stale:
                log.debug("reaped %d idle environments", len(stale))

    def close(self) -> None:
        self.stemcells.close()
        self.provisioned.close()
        if self._reaper is not None:
            self._reaper.cancel()
            self._reaper = None
        for pool in self._pools.values():
            for env in pool.idle:
                env.destroy(at_once=True)
        self._pools.clear()


def _credentials_ending(function: FunctionSnapshot | None) -> bool:
    """Whether an environment's role credentials could expire during its next invocation."""
    if function is None or function.credentials_expire_at is None:
        return False
    ends = function.credentials_expire_at - function.timeout_s - CREDENTIALS_MARGIN_S
    return time.time() >= ends
