"""One execution environment: a sandboxed runtime process specialized to one function version,
serving one invocation at a time over the private channel, reused while warm."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace

from lamina.execution import channel, logs
from lamina.execution.channel import ChannelClosed
from lamina.execution.function import FunctionSnapshot, InvocationRequest, InvocationResult
from lamina.execution.links import ChannelLink, RuntimeLink
from lamina.execution.sandbox import identity
from lamina.execution.sandbox.base import SandboxBackend, SandboxProcess, SandboxSpec
from lamina.execution.streaming import Collector

# A buffered invoke keeps this much of a streamed answer (the invoker refuses more than 6 MB).
MAX_BUFFERED = 6 * 1024 * 1024 + 1

# In a sandbox's argv: replaced by the fd its extensions' output pipe has in the child.
EXTENSION_FD = "{extension_fd}"


class InitError(Exception):
    """The function's init failed (import error, missing handler, exception at import)."""

    def __init__(
        self,
        error: dict,
        init_ms: float,
        output: list[tuple[int, str]] | None = None,
        max_memory_mb: int = 0,
    ) -> None:
        super().__init__(error.get("errorMessage", ""))
        self.error = error
        self.init_ms = init_ms
        self.output = output or []  # what the runtime wrote during its failed init
        self.max_memory_mb = max_memory_mb  # 0: nothing ran (the launcher refused the code)


class ExecutionEnvironment:
    """Spawned once (generic, possibly ahead of need), specialized once to one function."""

    def __init__(
        self,
        function: FunctionSnapshot | None,
        spec: SandboxSpec,
        specialize: dict | None = None,
        link: RuntimeLink | None = None,
    ) -> None:
        self.link = link or ChannelLink()
        self.spec = spec
        self.function: FunctionSnapshot = function  # type: ignore[assignment]  # set by assign()
        self.specialize_message: dict = specialize or {}
        self.process: SandboxProcess | None = None
        self.dead = False
        self.provisioned = False  # kept warm by a provisioned concurrency config, never reaped
        self.last_used = time.monotonic()
        self.maxrss_kb = 0  # the runtime's own peak, reported with each answer
        self.sampled_bytes = 0  # the sandbox's peak, sampled while it was alive (see _sample)
        self.spawned_at = 0.0
        self.on_destroy: list[Callable[[], None]] = []  # e.g. remove the environment's code dir
        self._log_fd = -1
        self._partial = b""
        # A custom runtime's extensions write to a pipe of their own: their lines are the
        # Telemetry API's `extension` records (and go to the same log stream, as on Lambda).
        self._extension_fd = -1
        self._extension_partial = b""
        self._log = logs.InvocationLog()

    @property
    def log_stream(self) -> str:
        return str(self.specialize_message["env"]["AWS_LAMBDA_LOG_STREAM_NAME"])

    def assign(self, function: FunctionSnapshot, specialize: dict) -> None:
        """Make a generic environment this function's (before specialize())."""
        self.function = function
        self.specialize_message = specialize

    # -- start -------------------------------------------------------------------------------

    def spawn(self, backend: SandboxBackend) -> None:
        """Start the sandboxed runtime process; blocking, so it may run on any thread."""
        self.spawned_at = time.perf_counter()
        log_read, log_write = os.pipe()
        fcntl.fcntl(log_read, fcntl.F_SETFL, os.O_NONBLOCK)
        self._log_fd = log_read
        spec = replace(self.link.prepare(self.spec), stdout=log_write, stderr=log_write)
        extension_write = -1
        if spec.extra.get("extension_output"):
            self._extension_fd, extension_write = os.pipe()
            fcntl.fcntl(self._extension_fd, fcntl.F_SETFL, os.O_NONBLOCK)
            identity.reopenable_by_sandbox(extension_write, 0o622)  # START_EXTENSIONS writes
            argv = [a.replace(EXTENSION_FD, str(extension_write)) for a in spec.argv]
            spec = replace(spec, argv=argv, pass_fds=(*spec.pass_fds, extension_write))
        try:
            self.process = backend.spawn(spec)
        except BaseException:
            self._close_logs()
            raise
        finally:
            self.link.spawned()
            os.close(log_write)
            if extension_write >= 0:
                os.close(extension_write)
        # Something to report if its init crashes, taken here and not in specialize(): off
        # the event loop and out of the Init Duration (a forked runtime is loaded already).
        self._sample()

    async def specialize(self, since: float) -> float:
        """Specialize and wait for the function's init; the init duration in ms from `since`
        (a perf_counter time: when the caller started waiting for this environment)."""
        asyncio.get_running_loop().add_reader(self._log_fd, self._read_logs)
        if self._extension_fd >= 0:
            asyncio.get_running_loop().add_reader(self._extension_fd, self._read_logs)
        try:
            ready = self.link.ready(self.specialize_message)
            frame = await asyncio.wait_for(ready, _init_limit())
        except ChannelClosed:  # the runtime exited: its status first, then the rest goes
            init_ms = (time.perf_counter() - since) * 1000
            error = await self._exit_error("")
            raise self._init_failed(error, init_ms) from None
        except TimeoutError:
            init_ms = (time.perf_counter() - since) * 1000
            self._sample()  # still alive: its real peak, before it is killed
            message = f"Error: Init phase timed out after {_init_limit():.2f} seconds"
            error = {"errorType": "Sandbox.Timedout", "errorMessage": message}
            raise self._init_failed(error, init_ms) from None
        init_ms = (time.perf_counter() - since) * 1000
        self._sample()  # init's peak: what a crash in the first invocation can still report
        if frame.kind == channel.INIT_ERROR:
            raise self._init_failed(frame.header["error"], init_ms)
        return init_ms

    def _init_failed(self, error: dict, init_ms: float) -> InitError:
        self.destroy()
        return InitError(error, init_ms, self._log.events, self.max_memory_mb)

    def take_init_log(self) -> list[tuple[int, str]]:
        """What the function wrote during init (it goes before the first START line)."""
        self._read_logs()
        events, self._log = self._log.events, logs.InvocationLog()
        return events

    # -- invoke ------------------------------------------------------------------------------

    async def invoke(
        self, request: InvocationRequest
    ) -> tuple[InvocationResult, logs.InvocationLog]:
        self._log = log = logs.InvocationLog()
        timeout = self.function.timeout_s
        deadline_ms = logs.now_ms() + timeout * 1000
        header = {
            "request_id": request.request_id,
            "deadline_ms": deadline_ms,
            "invoked_function_arn": request.invoked_arn,
            "trace_id": request.trace_id,
            "client_context": request.client_context,
            "identity": request.identity,
        }
        sink = request.stream or Collector(MAX_BUFFERED)
        started = time.perf_counter()
        try:
            async with asyncio.timeout(timeout):  # no task of its own, as wait_for makes
                frame = await self.link.invoke(header, request.payload, sink)
        except TimeoutError:
            duration = (time.perf_counter() - started) * 1000
            self._sample()  # still alive: its real peak, before it is killed
            self.destroy(reason="timeout")
            message = (
                f"RequestId: {request.request_id} Error: Task timed out after {timeout:.2f} seconds"
            )
            error = {"errorMessage": message, "errorType": "Sandbox.Timedout"}
            return self._failed(error, duration), log
        except ChannelClosed:
            duration = (time.perf_counter() - started) * 1000  # not the wait for its status
            error = await self._exit_error(request.request_id)
            self.destroy(reason="failure")
            return self._failed(error, duration), log
        except asyncio.CancelledError:
            self.destroy()  # mid-invocation: its answer would reach the next caller
            raise
        duration = (time.perf_counter() - started) * 1000
        self._read_logs()  # what the function wrote before answering is in the pipe: take it
        self.maxrss_kb = max(self.maxrss_kb, int(frame.header.get("maxrss_kb", 0)))
        self.last_used = time.monotonic()
        streamed = bool(frame.header.get("streamed"))
        if frame.header.get("retire"):
            # The runtime cannot go on (Node after an uncaught error, where AWS's runtime
            # exits): this environment ends, and the next invoke gets a fresh one.
            self.destroy(reason="failure")
        if frame.kind == channel.RESULT:
            body = sink.body if streamed and isinstance(sink, Collector) else frame.body
            result = InvocationResult(body, duration_ms=duration, streamed=streamed)
        else:
            body = json.dumps(frame.header.get("error", {})).encode()
            result = InvocationResult(body, "Unhandled", duration_ms=duration, streamed=streamed)
        if isinstance(sink, Collector):
            result.content_type = sink.content_type
        return result, log

    def _failed(self, error: dict, duration: float) -> InvocationResult:
        self._log.add(f"{_now_iso()} {error['errorMessage']}")
        return InvocationResult(json.dumps(error).encode(), "Unhandled", duration_ms=duration)

    async def _exit_error(self, request_id: str) -> dict:
        """Runtime.ExitError with the exit status, as Lambda reports a runtime that died."""
        status = None
        if self.process is not None:
            status = await asyncio.get_running_loop().run_in_executor(None, self.process.wait, 2)
        self._read_logs()
        if status is None:
            reason = "the runtime stopped answering"
        elif status < 0:
            reason = f"signal: {_signal_name(-status)}"
        else:
            reason = f"exit status {status}"
        prefix = f"RequestId: {request_id} " if request_id else ""
        message = f"{prefix}Error: Runtime exited with error: {reason}"
        return {"errorType": "Runtime.ExitError", "errorMessage": message}

    # -- logs --------------------------------------------------------------------------------

    def _read_logs(self) -> None:
        self._partial = self._read_pipe(self._log_fd, self._partial, "function")
        if self._extension_fd >= 0:
            self._extension_partial = self._read_pipe(
                self._extension_fd, self._extension_partial, "extension"
            )

    def _read_pipe(self, fd: int, partial: bytes, kind: str) -> bytes:
        """Take what is in one of the log pipes; the line it ends inside of."""
        while fd >= 0:
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                return partial
            except OSError:
                chunk = b""
            if not chunk:
                self._close_pipe(fd, partial)
                return b""
            lines = (partial + chunk).split(b"\n")
            partial = lines.pop()
            observed = self.link.observed
            for line in lines:
                text = line.decode("utf-8", "replace")
                self._log.add(text)
                if observed:
                    self.link.observe(kind, text)
            if len(chunk) < 65536:
                # Short of the buffer: the pipe is drained (a read more would only answer
                # EAGAIN, one more system call an invoke). Anything written later wakes the
                # loop's reader on this fd.
                return partial
        return partial

    def _close_logs(self) -> None:
        self._close_pipe(self._log_fd, self._partial)
        self._close_pipe(self._extension_fd, self._extension_partial)
        self._partial = self._extension_partial = b""

    def _close_pipe(self, fd: int, partial: bytes) -> None:
        if fd < 0:
            return
        if partial:
            self._log.add(partial.decode("utf-8", "replace"))
        with contextlib.suppress(RuntimeError):  # no loop at shutdown: nothing to remove
            asyncio.get_running_loop().remove_reader(fd)
        os.close(fd)
        if fd == self._log_fd:
            self._log_fd = -1
        else:
            self._extension_fd = -1

    # -- end ---------------------------------------------------------------------------------

    def destroy(self, at_once: bool = False, reason: str = "spindown") -> None:
        """End the sandbox and everything in it; the environment is never used again. Its
        extensions get SHUTDOWN first, and until its deadline, where a loop runs (not
        `at_once`: Lamina is stopping, and nothing may outlive it)."""
        alive = self.process is not None and self.process.poll() is None
        if not at_once and not self.dead and alive:
            shutdown = self.link.shutdown(reason)  # spindown, timeout or failure, as AWS says
            if shutdown is not None:
                self.dead = True
                try:
                    loop = asyncio.get_running_loop()
                except RuntimeError:
                    loop = None
                if loop is not None:
                    loop.create_task(self._end_after(shutdown))
                    return
                if asyncio.iscoroutine(shutdown):
                    shutdown.close()  # no loop to run it on (Lamina is stopping): end now
        self._end()

    async def _end_after(self, shutdown: Awaitable[None]) -> None:
        try:
            await shutdown
        finally:
            self._end()

    def _end(self) -> None:
        self.dead = True
        for hook in self.on_destroy:
            hook()
        self.on_destroy.clear()
        if self.process is not None:
            self.process.kill()
        self.link.close()
        self._read_logs()
        self._close_logs()

    def _sample(self) -> None:
        """Sample the sandbox's peak memory while it lives (a cold start, a timeout: never a
        warm invoke): once it has crashed, its processes can no longer be read."""
        if self.process is not None and self.process.poll() is None:
            self.sampled_bytes = max(self.sampled_bytes, self.process.peak_memory_bytes() or 0)

    @property
    def max_memory_mb(self) -> int:
        """The runtime's own peak RSS, as it reports it with each answer; only a runtime that
        reports none (a custom one), or one that crashed or timed out, costs asking the
        sandbox. After a crash that is exact where a cgroup holds the sandbox (memory.peak
        outlives it); elsewhere what the crashed invocation used cannot be known, and the last
        measurement stands: the runtime's report with its last answer, or the sample taken
        when its init ended."""
        measured = max(self.maxrss_kb * 1024, self.sampled_bytes)
        if (not self.maxrss_kb or self.dead) and self.process is not None:
            measured = max(measured, self.process.peak_memory_bytes() or 0)
        return max(1, round(measured / (1024 * 1024)))


def _init_limit() -> float:
    return 10.0  # Lambda's init phase limit for on-demand functions


def _signal_name(number: int) -> str:
    import signal

    try:
        return signal.Signals(number).name.removeprefix("SIG").lower()
    except ValueError:
        return str(number)


def _now_iso() -> str:
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1000):03d}Z"
