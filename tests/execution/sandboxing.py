"""Helpers for the sandbox tests: run a Python snippet in a backend, read what it printed."""

from __future__ import annotations

import dataclasses
import errno
import os
import shutil
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from lamina.execution.sandbox import (
    SandboxBackend,
    SandboxProcess,
    SandboxSpec,
    bubblewrap_problem,
    interpreter_binds,
    interpreter_path,
)

PATH = "/usr/local/bin:/usr/bin:/bin"
# The test interpreter lives under the home directory (pyenv) and runs through a venv: the
# very case interpreter_binds exists for.
PYTHON = interpreter_path(sys.executable)

BWRAP_PROBLEM = bubblewrap_problem()
needs_bwrap = pytest.mark.skipif(
    BWRAP_PROBLEM is not None, reason=f"bubblewrap cannot run here: {BWRAP_PROBLEM}"
)
# The sandboxes' own network namespace (lamina/execution/sandbox/network.py) needs these too.
NETWORK_TOOLS = ("nsenter", "unshare", "setpriv", "pasta", "nft")
needs_sandbox_network = [
    needs_bwrap,
    pytest.mark.skipif(
        any(shutil.which(tool) is None for tool in NETWORK_TOOLS),
        reason=f"needs {', '.join(NETWORK_TOOLS)}",
    ),
]

# In a function: what it finds when it connects to host:port ("connected", "timeout", or the
# errno's name).
CONNECT = """
import errno, json, os, socket

def connect(host, port):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(3)
        try:
            sock.connect((host, port))
            return "connected"
        except TimeoutError:
            return "timeout"
        except OSError as error:
            return errno.errorcode.get(error.errno, str(error))
"""


@dataclass
class Result:
    status: int | None
    out: str
    err: str


def python_spec(code: str, task_dir: Path, **fields: Any) -> SandboxSpec:
    """A spec running `code` with the test's interpreter (bound in read-only)."""
    binds = interpreter_binds(sys.executable)
    spec = SandboxSpec(argv=[PYTHON, "-c", code], env={"PATH": PATH}, task_dir=task_dir)
    extra_binds = fields.pop("ro_binds", ())
    return dataclasses.replace(spec, ro_binds=(*binds, *extra_binds), **fields)


class Started:
    """A spawned sandbox whose stdout/stderr go to files in `logs`."""

    def __init__(self, backend: SandboxBackend, spec: SandboxSpec, logs: Path) -> None:
        logs.mkdir(parents=True, exist_ok=True)
        self.out_path, self.err_path = logs / "out", logs / "err"
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            spec = dataclasses.replace(spec, stdout=out.fileno(), stderr=err.fileno())
            self.process: SandboxProcess = backend.spawn(spec)

    def output(self) -> str:
        return self.out_path.read_text()

    def wait_for_output(self, text: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output():
            assert self.process.poll() is None, f"ended early: {self.err_path.read_text()}"
            assert time.monotonic() < deadline, f"no {text!r} within {timeout} s"
            time.sleep(0.01)

    def result(self, timeout: float = 15.0) -> Result:
        status = self.process.wait(timeout)
        if status is None:
            self.process.kill()
        return Result(status, self.output(), self.err_path.read_text())


def run(backend: SandboxBackend, spec: SandboxSpec, logs: Path, timeout: float = 15.0) -> Result:
    return Started(backend, spec, logs).result(timeout)


def environ_inside(backend: SandboxBackend, env: dict[str, str], task_dir: Path, logs: Path):
    """The environment a process in the sandbox really has, read from /proc/self/environ."""
    code = "print(repr(open('/proc/self/environ').read()))"
    result = run(backend, python_spec(code, task_dir, env=env), logs)
    assert result.status == 0, result.err
    return dict(item.split("=", 1) for item in eval(result.out).split("\0") if item)


def find_process(marker: str) -> int | None:
    """The host pid of the process whose command line contains `marker`."""
    for entry in os.listdir("/proc"):
        if entry.isdigit() and entry != str(os.getpid()):
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if marker.encode() in f.read():
                        return int(entry)
            except OSError:
                continue
    return None


def is_gone(pid: int, timeout: float = 5.0) -> bool:
    """True once `pid` has ended (a zombie waiting for a reaper that is not ours counts)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                    return True
        except OSError as e:
            if e.errno in (errno.ENOENT, errno.ESRCH):
                return True
            raise
        time.sleep(0.02)
    return False


def spawning_grandchild(marker: str, orphaned: bool) -> str:
    """Python code that starts a child ignoring SIGTERM in a session of its own (`marker` in its
    command line), prints "ready" and idles. With `orphaned`, the child is double-forked away
    from its parent, as a daemon would be."""
    start = f"subprocess.Popen([sys.executable, '-c', CHILD, {marker!r}], start_new_session=True)"
    if orphaned:
        start = f"if os.fork() == 0:\n    {start}\n    os._exit(0)\nos.wait()"
    return "\n".join(
        [
            "import os, subprocess, sys, time",
            "CHILD = 'import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "time.sleep(1000)'",
            start,
            "print('ready', flush=True)",
            "time.sleep(1000)",
        ]
    )


def kill_ends_grandchild(
    backend: SandboxBackend, task_dir: Path, logs: Path, orphaned: bool
) -> Started:
    """Start a sandbox whose process leaves a grandchild behind (`orphaned`: daemonized, in
    its own session), kill the sandbox, and check that the grandchild is gone too."""
    marker = f"lamina-grandchild-{uuid.uuid4().hex}"
    started = Started(backend, python_spec(spawning_grandchild(marker, orphaned), task_dir), logs)
    started.wait_for_output("ready")
    grandchild = find_process(marker)
    assert grandchild is not None
    started.process.kill()
    assert started.process.poll() is not None
    assert is_gone(grandchild, timeout=2.0)
    return started
