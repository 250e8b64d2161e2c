"""The execution layer's face to the services: invoke a function version, get its answer and
its log; the lines are written to CloudWatch Logs after the answer, in one batch."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from lamina.execution import housekeeping, logs, runtimes
from lamina.execution.code import CodeCache
from lamina.execution.concurrency import ConcurrencyAccounting
from lamina.execution.environment import ExecutionEnvironment, InitError
from lamina.execution.function import (
    FunctionSnapshot,
    InvocationRequest,
    InvocationResult,
    RoleCredentials,
)
from lamina.execution.launcher import Launcher, StemKey
from lamina.execution.logbatch import LogBatcher, LogSink
from lamina.execution.pool import EnvironmentPool
from lamina.execution.provisioned import ProvisionState
from lamina.execution.sandbox import SandboxBackend
from lamina.execution.sandbox.networks import DEFAULT
from lamina.store.blobs import BlobStore

log = logging.getLogger("lamina.execution")


class ExecutionService:
    def __init__(
        self,
        backend: SandboxBackend,
        data_dir: Path,
        blobs: BlobStore,
        endpoint_url: str,
        idle_timeout_s: float = 300.0,
    ) -> None:
        self.code = CodeCache(data_dir / "code", blobs)
        self.launcher = Launcher(backend, data_dir, self.code, endpoint_url)
        self.pool = EnvironmentPool(self.launcher, idle_timeout_s)
        self.pool.provisioned.on_init = lambda env, events: self._write_logs(
            env.function, env.log_stream, events
        )
        self.logs = LogBatcher()  # to CloudWatch Logs: its sink is wired in by the node
        self.concurrency = ConcurrencyAccounting()  # slots are taken by the caller of invoke()

    async def invoke(
        self,
        function: FunctionSnapshot,
        request: InvocationRequest,
        patience_s: float = 0.0,
        provisioned: ExecutionEnvironment | None = None,
    ) -> InvocationResult:
        """`patience_s`: how long to wait for a busy environment of the function before
        starting another (queued work; a synchronous caller waits for none). `provisioned`:
        the provisioned environment taken for it (take_provisioned), else an on-demand one
        serves it."""
        started = time.perf_counter()
        state = self.pool.provisioned.state(function.key)
        if provisioned is not None:
            env, init_ms = provisioned, None  # initialized ahead of need: no init here
        else:
            try:
                env, init_ms = await self.pool.acquire(function, patience_s)
            except InitError as failure:
                duration_ms = (time.perf_counter() - started) * 1000
                return self._init_failed(function, request, failure, duration_ms)
        init_log = env.take_init_log() if init_ms is not None else []
        began = logs.now_ms()  # START is stamped when the invocation begins: logs sort by time
        try:
            result, lines = await env.invoke(request)
        finally:
            settling = env.link.settling()
            if settling is None:
                self.pool.release(env)
            else:  # the answer goes back now; the environment once its extensions are done
                asyncio.get_running_loop().create_task(self._release_after(env, settling))
        result.init_ms = init_ms
        if state is not None:  # the version has provisioned concurrency: served or spilled
            result.provisioned = provisioned is not None
            result.provisioned_in_use = (state.in_use, state.target)
        events = [*init_log, (began, logs.start_line(request.request_id, function.version))]
        events += lines.events
        events.append((logs.now_ms(), logs.end_line(request.request_id)))
        report = logs.report_line(
            request.request_id, result.duration_ms, function.memory_mb, env.max_memory_mb, init_ms
        )
        events.append((logs.now_ms(), report))
        if env.link.observed:
            env.link.observe("platform.report", _report(request, result, function, env, init_ms))
        result.log = events[len(init_log) :]
        self._write_logs(function, env.log_stream, events)
        return result

    async def _release_after(self, env: ExecutionEnvironment, settling: Awaitable[None]) -> None:
        try:
            await settling
        finally:
            if not getattr(env.link, "reusable", True):  # an extension reported /exit/error
                env.destroy()
            self.pool.release(env)

    def _init_failed(
        self,
        function: FunctionSnapshot,
        request: InvocationRequest,
        failure: InitError,
        duration_ms: float,
    ) -> InvocationResult:
        """Lambda answers a failed init on the invoke that needed it, as an Unhandled error.
        Its Duration is the time it waited for that init: on Lambda, too, a failed init is
        run again in the invoke phase, and that time is the invocation's."""
        error = dict(failure.error, requestId=request.request_id)
        invocation = logs.InvocationLog(list(failure.output))
        if not failure.output:  # the runtime said nothing: say what went wrong, as AWS does
            invocation.add(f"[ERROR] {error.get('errorType')}: {error.get('errorMessage')}")
        invocation.add(logs.start_line(request.request_id, function.version))
        invocation.add(logs.end_line(request.request_id))
        report = logs.report_line(
            request.request_id, duration_ms, function.memory_mb, failure.max_memory_mb,
            failure.init_ms,
        )  # fmt: skip
        invocation.add(report)
        stream = logs.log_stream(function.version)
        self._write_logs(function, stream, invocation.events)
        payload = json.dumps(error).encode()
        return InvocationResult(
            payload, "Unhandled", invocation.events, duration_ms, failure.init_ms
        )

    def _write_logs(
        self, function: FunctionSnapshot, stream: str, events: list[tuple[int, str]]
    ) -> None:
        group = logs.log_group(function.name)
        self.logs.add((function.account_id, function.region, group, stream), events)

    def provision(self, function: FunctionSnapshot, count: int) -> None:
        """Keep `count` environments of this function version initialized ahead of need (0:
        none); they start in the background (provisioned_state() says how far)."""
        self.pool.provisioned.provision(function, count)

    def sweep_caches(self, references: housekeeping.References) -> list[Path]:
        """Take the unpacked code and merged layers nothing refers to any more out of the
        caches (on the event loop, see housekeeping.py); the trees to delete, off the loop."""
        code, layer_sets = self.launcher.in_use()
        code |= references.code
        layer_sets |= references.layer_sets
        taken = housekeeping.take_out(self.code.root, code)
        sets = {housekeeping.layer_set_key(s) for s in layer_sets if s}
        taken += housekeeping.take_out(self.launcher.layers.root, sets)
        taken += housekeeping.leftovers(self.code.root) + housekeeping.leftovers(
            self.launcher.layers.root
        )
        return list(dict.fromkeys(taken))

    def take_provisioned(self, function: FunctionSnapshot) -> ExecutionEnvironment | None:
        """A free provisioned environment of this version, held for one invocation (give it
        to invoke()), or None: every one is busy, or the version has none."""
        env, _ = self.pool.provisioned.take(function)
        return env

    def provisioned_state(self, function: FunctionSnapshot) -> ProvisionState | None:
        return self.pool.provisioned.state(function.key)

    def prewarm(
        self, runtime: str, memory_mb: int, ephemeral_storage_mb: int, network: str = DEFAULT
    ) -> None:
        """A function with these settings was created or changed: have environments for it
        started ahead of its first invoke (thread-safe, returns at once)."""
        key = StemKey.for_runtime(runtime, memory_mb, ephemeral_storage_mb, network)
        self.pool.stemcells.prewarm(key)

    def warm_up(self, timeout_s: float = 30.0) -> None:
        """Start stem cells for this machine's default runtimes and wait for them (blocking):
        without it, finding the interpreters and the first sandbox start fall on the first
        invoke (about 2 s of it)."""
        keys = [StemKey.for_runtime(runtime) for runtime in runtimes.machine_runtimes()]
        for key in keys:
            self.pool.stemcells.prewarm(key)
        if not self.pool.stemcells.wait_ready(keys, timeout_s):
            log.warning("stem cells for %s were not ready within %.0f s; serving anyway",
                        ", ".join(key.runtime for key in keys), timeout_s)  # fmt: skip

    @property
    def credentials(self) -> Callable[[FunctionSnapshot], RoleCredentials | None] | None:
        """Where a new environment's execution-role credentials come from (the Lambda
        service sets it); None: the account's root-style defaults."""
        return self.pool.credentials

    @credentials.setter
    def credentials(
        self, source: Callable[[FunctionSnapshot], RoleCredentials | None] | None
    ) -> None:
        self.pool.credentials = source

    @property
    def sink(self) -> LogSink | None:
        return self.logs.sink

    @sink.setter
    def sink(self, sink: LogSink | None) -> None:
        self.logs.sink = sink

    async def flush(self) -> None:
        """Write the function logs still queued (tests, shutdown)."""
        await self.logs.flush()

    def close(self) -> None:
        self.pool.close()
        close_backend = getattr(self.pool.launcher.backend, "close", None)
        if close_backend is not None:  # its zygotes
            close_backend()
        self.logs.write_pending()


def _report(
    request: InvocationRequest,
    result: InvocationResult,
    function: FunctionSnapshot,
    env: ExecutionEnvironment,
    init_ms: float | None,
) -> dict[str, Any]:
    """platform.report, as the Telemetry API delivers it."""
    metrics: dict[str, Any] = {
        "durationMs": round(result.duration_ms, 3),
        "billedDurationMs": max(1, math.ceil(round(result.duration_ms, 2))),
        "memorySizeMB": function.memory_mb,
        "maxMemoryUsedMB": env.max_memory_mb,
    }
    if init_ms is not None:
        metrics["initDurationMs"] = round(init_ms, 3)
    status = "error" if result.function_error else "success"
    return {"requestId": request.request_id, "status": status, "metrics": metrics}
