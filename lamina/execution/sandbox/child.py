"""What both backends share once a sandbox is started: reaping, waiting, peak memory.

Max Memory Used comes from the cgroup (memory.peak) where there is one. Elsewhere it is read
from /proc while the sandbox lives: the kernel keeps each process's high-water mark (VmHWM), so
asking after an invocation, while the environment is warm, gives the peak of its largest
process exactly (and the tree's resident total at that moment, if larger). Once the sandbox has
ended the last answer stands. wait4's ru_maxrss is no substitute: the spawned process starts as
a vfork of Lamina, whose own resident size it inherits, and bwrap's monitor exits without
reaping the sandbox's init, so the function's usage never reaches it.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
from abc import abstractmethod

from lamina.execution.sandbox import proctree
from lamina.execution.sandbox.base import SandboxProcess
from lamina.execution.sandbox.limits import Confinement
from lamina.execution.sandbox.readable import readable


class RecordedProcess(SandboxProcess):
    """A sandbox whose end Lamina records: its exit status, its peak memory by then, and its
    pidfd and confinement released. Subclasses say how to wait for the end (_wait_exit)."""

    def __init__(self, pid: int, pidfd: int | None, confinement: Confinement) -> None:
        self.pid = pid
        self._pidfd = pidfd
        self._confinement = confinement
        self._lock = threading.Lock()
        self._status: int | None = None
        self._peak = 0

    def wait(self, timeout: float | None = None) -> int | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return None
            self._wait_exit(left)
        return self._status

    @abstractmethod
    def _wait_exit(self, timeout: float | None) -> None:
        """Block until the end may have come, or `timeout` seconds (None: no limit)."""

    def _record_exit(self, code: int) -> None:
        self._status = code
        self._peak = max(self._peak, self._confinement.peak_bytes() or 0)  # before it is gone
        self._close_pidfd()
        self._confinement.release()

    def _close_pidfd(self) -> None:
        pidfd = getattr(self, "_pidfd", None)  # also from __del__ of one half built
        if pidfd is not None:
            with contextlib.suppress(OSError):
                os.close(pidfd)
            self._pidfd = None

    def __del__(self) -> None:
        self._close_pidfd()


class SpawnedProcess(RecordedProcess):
    def __init__(self, popen: subprocess.Popen[bytes], confinement: Confinement) -> None:
        super().__init__(popen.pid, _pidfd_open(popen.pid), confinement)
        self._popen = popen

    def poll(self) -> int | None:
        with self._lock:
            if self._status is None:
                self._reap(os.WNOHANG)
            return self._status

    def kill(self) -> None:
        with self._lock:
            if self._status is not None:
                return  # reaped: the pid may belong to someone else by now
            self._kill_tree()
        self.wait(5.0)

    def peak_memory_bytes(self) -> int | None:
        with self._lock:
            cgroup_peak = self._confinement.peak_bytes()
            if cgroup_peak is not None:
                return max(cgroup_peak, self._peak)
            if self._status is None:
                self._peak = max(self._peak, proctree.tree_memory_bytes(self.pid))
            return self._peak or None

    @abstractmethod
    def _kill_tree(self) -> None:
        """Send SIGKILL to every process of the sandbox (called with the lock held)."""

    def _wait_exit(self, timeout: float | None) -> None:
        if self._pidfd is None:
            time.sleep(0.01 if timeout is None else min(0.01, timeout))
        else:  # readable once the child has exited
            readable(self._pidfd, timeout)

    def _reap(self, flags: int) -> None:
        try:
            pid, status = os.waitpid(self.pid, flags)
        except ChildProcessError:  # reaped elsewhere (subprocess's own cleanup)
            self._finish(self._popen.returncode if self._popen.returncode is not None else -1)
            return
        if pid == self.pid:
            self._finish(os.waitstatus_to_exitcode(status))

    def _finish(self, code: int) -> None:
        self._popen.returncode = code  # so Popen never waits for the pid again
        self._record_exit(code)


def _pidfd_open(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):  # Linux < 5.3: fall back to polling
        return None
