"""Start and stop `lamina serve` as a real process, as a user would, and leave nothing behind.

A start waits for the health endpoint through any request error (refused, reset, timed out)
up to a generous deadline: a loaded 2-core machine may take many seconds. A start that fails
ends the child. Every server started is remembered, so the session's end stops any a test
left running; the test process is a child subreaper, so sandboxes orphaned by a killed server
are its children and can be found and ended too (see `leftover_processes`).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import weakref
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
# Generous: a start includes migrations and the first stem cells, on a machine under load.
START_TIMEOUT = float(os.environ.get("LAMINA_TEST_START_TIMEOUT", "120"))

_PR_SET_CHILD_SUBREAPER = 36
_started: weakref.WeakSet[LaminaServer] = weakref.WeakSet()


def become_subreaper() -> bool:
    """Orphaned descendants (a killed server's sandboxes) are re-parented to this process
    rather than to init, so a test can see them. Linux only; False where it is not."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LaminaServer:
    def __init__(
        self, data_dir: Path, env: dict[str, str] | None = None, cwd: Path | None = None
    ) -> None:
        self.data_dir = data_dir
        self.env = env or {}
        self.cwd = cwd or REPO
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir.parent / f"{data_dir.name}-server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return [sys.executable, "-m", "lamina", "serve", "--port", str(self.port),
                "--data-dir", str(self.data_dir)]  # fmt: skip

    def start(self, timeout: float = START_TIMEOUT) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LAMINA_")}
        env.update(self.env)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.command(), cwd=self.cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: a failed start ends all of it
            )  # fmt: skip
        _started.add(self)
        try:
            self._wait_ready(timeout)
        except BaseException:
            self._end()
            raise

    def _wait_ready(self, timeout: float) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"lamina exited {self.process.returncode}: {self.output()}")
            try:
                answer = requests.get(f"{self.url}/_lamina/health", timeout=5)
                if answer.status_code == 200:
                    return
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"lamina did not become ready in {timeout} s: {self.output()}")
            time.sleep(0.05)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self._end()
            raise
        finally:
            _started.discard(self)

    def kill(self) -> int:
        return self.stop(signal.SIGKILL)

    def _end(self) -> None:
        """SIGKILL the server's whole process group and reap it."""
        _started.discard(self)
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(10)


def stop_all_started() -> list[str]:
    """End every server still running (a test that did not stop its own); their commands."""
    left = [server for server in list(_started) if server.process and server.process.poll() is None]
    for server in left:
        with contextlib.suppress(Exception):
            server.stop(timeout=10)
        server._end()
    return [" ".join(server.command()) for server in left]


def leftover_processes() -> list[tuple[int, str]]:
    """This process's descendants that are not zombies, as (pid, command line)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z":
            children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], list(children.get(os.getpid(), []))
    while todo:
        pid = todo.pop()
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        found.append((pid, cmdline.strip()))
        todo += children.get(pid, [])
    return found


def reap_orphans() -> None:
    """Collect the exit status of re-parented orphans, so they do not linger as zombies."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass


def end_leftovers() -> list[str]:
    """SIGKILL every descendant still alive (after servers were stopped); their commands."""
    left = leftover_processes()
    for pid, _ in left:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    time.sleep(0.1)
    reap_orphans()
    return [command for _, command in left]
