"""Provisioned environments: per function version, a number of environments initialized ahead
of need and kept warm (the idle reaper never sees them) for as long as a provisioned concurrency
config asks for them. An invocation takes one of them before any on-demand environment."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace

from lamina.execution.environment import ExecutionEnvironment, InitError
from lamina.execution.function import FunctionSnapshot

log = logging.getLogger("lamina.execution")

VersionKey = tuple[str, str, str, str]  # account, region, function name, version
Starter = Callable[[FunctionSnapshot], Awaitable[tuple[ExecutionEnvironment, float | None]]]


@dataclass
class _Provision:
    function: FunctionSnapshot
    target: int
    idle: list[ExecutionEnvironment] = field(default_factory=list)
    live: int = 0  # provisioned environments alive, idle or serving an invocation
    failure: str | None = None  # why the last init failed (the config is then FAILED)
    task: asyncio.Task[None] | None = None


@dataclass(frozen=True)
class ProvisionState:
    target: int
    live: int
    failure: str | None
    in_use: int = 0  # provisioned environments serving an invocation now

    @property
    def ready(self) -> bool:
        return self.failure is None and self.live >= self.target


class ProvisionedEnvironments:
    def __init__(
        self, start: Starter, fresh: Callable[[ExecutionEnvironment], bool] = lambda env: True
    ) -> None:
        self._start = start  # a new environment for the function, and its init duration
        self._fresh = fresh  # whether an environment may still serve (its credentials last)
        self._by_version: dict[VersionKey, _Provision] = {}
        # Where what an environment wrote during its init goes (the function's log stream,
        # as on Lambda, where a provisioned environment's INIT phase is logged when it runs).
        self.on_init: Callable[[ExecutionEnvironment, list[tuple[int, str]]], None] | None = None

    def provision(self, function: FunctionSnapshot, count: int) -> None:
        """Keep `count` environments of this version initialized (0: none); returns at once,
        they start in the background (state() tells how far)."""
        key = function.key
        current = self._by_version.get(key)
        if count <= 0:
            if current is not None:
                self._retire(key, current)
            return
        if current is None or current.function.revision_id != function.revision_id:
            if current is not None:
                self._retire(key, current)
            ready = replace(function, initialization_type="provisioned-concurrency")
            current = self._by_version[key] = _Provision(ready, count)
        current.target, current.failure = count, None
        while current.live > current.target and current.idle:
            current.idle.pop().destroy()
            current.live -= 1
        if current.task is None or current.task.done():
            current.task = asyncio.get_running_loop().create_task(self._fill(key, current))

    async def _fill(self, key: VersionKey, provision: _Provision) -> None:
        while self._by_version.get(key) is provision and provision.live < provision.target:
            try:
                env, _ = await self._start(provision.function)
            except InitError as failure:
                provision.failure = str(failure.error.get("errorMessage") or failure)
                log.warning("provisioned concurrency for %s: init failed: %s",
                            provision.function.arn, provision.failure)  # fmt: skip
                return
            except Exception as error:  # the sandbox could not start: say so, do not loop
                provision.failure = f"{type(error).__name__}: {error}"
                log.exception("provisioned concurrency for %s failed", provision.function.arn)
                return
            init_log = env.take_init_log()  # written now, not before a later invocation
            if init_log and self.on_init is not None:
                self.on_init(env, init_log)
            if self._by_version.get(key) is not provision:
                env.destroy()
                return
            env.provisioned = True
            provision.idle.append(env)
            provision.live += 1

    def _retire(self, key: VersionKey, provision: _Provision) -> None:
        del self._by_version[key]
        if provision.task is not None:
            provision.task.cancel()
        for env in provision.idle:
            env.destroy()
        provision.idle.clear()

    def take(self, function: FunctionSnapshot) -> tuple[ExecutionEnvironment | None, bool]:
        """A provisioned environment of this version if one is free, and whether the version
        has provisioned concurrency at all (without a free one, the invocation spills over)."""
        provision = self._by_version.get(function.key)
        if provision is None or provision.function.revision_id != function.revision_id:
            return None, False
        while provision.idle:
            env = provision.idle.pop()
            alive = not env.dead and env.process is not None and env.process.poll() is None
            if alive and self._fresh(env):
                return env, True
            env.destroy()  # died idle, or its role credentials end: a new one replaces it
            self._lost(function.key, provision)
        return None, True

    def give_back(self, env: ExecutionEnvironment) -> None:
        key = env.function.key
        provision = self._by_version.get(key)
        if provision is None or provision.function.revision_id != env.function.revision_id:
            env.destroy()  # its config went away while it served
            return
        if env.dead:
            self._lost(key, provision)
            return
        if provision.live > provision.target:
            env.destroy()
            provision.live -= 1
            return
        provision.idle.append(env)

    def _lost(self, key: VersionKey, provision: _Provision) -> None:
        """A provisioned environment died (crash, timeout): start its replacement."""
        provision.live -= 1
        if provision.task is None or provision.task.done():
            provision.task = asyncio.get_running_loop().create_task(self._fill(key, provision))

    def state(self, key: VersionKey) -> ProvisionState | None:
        provision = self._by_version.get(key)
        if provision is None:
            return None
        in_use = provision.live - len(provision.idle)
        return ProvisionState(provision.target, provision.live, provision.failure, in_use)

    def close(self) -> None:
        for key, provision in list(self._by_version.items()):
            self._retire(key, provision)
