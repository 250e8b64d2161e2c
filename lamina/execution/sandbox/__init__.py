"""Sandboxes for execution environments, and the choice of backend (DESIGN decision 4)."""

from __future__ import annotations

import functools
import logging
import os
import shutil
import tempfile
from pathlib import Path

from lamina.execution.sandbox.base import SandboxBackend, SandboxProcess, SandboxSpec
from lamina.execution.sandbox.bubblewrap import (
    BubblewrapSandbox,
    interpreter_binds,
    interpreter_path,
)
from lamina.execution.sandbox.process import ProcessSandbox

__all__ = [
    "BubblewrapSandbox",
    "ProcessSandbox",
    "SandboxBackend",
    "SandboxProcess",
    "SandboxSpec",
    "bubblewrap_problem",
    "choose_backend",
    "interpreter_binds",
    "interpreter_path",
]

log = logging.getLogger(__name__)
BACKENDS = {"bubblewrap": BubblewrapSandbox, "process": ProcessSandbox}


@functools.cache
def bubblewrap_problem() -> str | None:
    """Why bubblewrap cannot run here, or None when it can. Probed once, by running a trivial
    sandbox with the very options real sandboxes use (a kernel without unprivileged user
    namespaces, a container without CAP_SYS_ADMIN or a bwrap too old for --size all fail)."""
    if shutil.which("bwrap") is None:
        return "bwrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    with (
        tempfile.TemporaryDirectory(prefix="lamina-bwrap-probe-") as task,
        tempfile.TemporaryFile() as err,
    ):
        spec = SandboxSpec(
            argv=["true"], env={"PATH": "/usr/bin:/bin"}, task_dir=Path(task), stderr=err.fileno()
        )
        try:
            sandbox = BubblewrapSandbox().spawn(spec)
        except OSError as e:
            return f"bwrap could not be started: {e}"
        status = sandbox.wait(10.0)
        if status is None:
            sandbox.kill()
            return "a trivial bwrap sandbox did not finish within 10 s"
        err.seek(0)
        said = err.read().decode(errors="replace").strip()
        return None if status == 0 else f"a trivial bwrap sandbox failed ({status}): {said}"


def choose_backend(preferred: str | None = None) -> SandboxBackend:
    """The backend named by LAMINA_SANDBOX or `preferred`, else bubblewrap where it works."""
    wanted = os.environ.get("LAMINA_SANDBOX") or preferred
    if wanted:
        if wanted not in BACKENDS:
            raise ValueError(f"unknown sandbox backend {wanted!r}: use one of {sorted(BACKENDS)}")
        return BACKENDS[wanted]()
    problem = bubblewrap_problem()
    if problem is None:
        return BubblewrapSandbox()
    _warn_once(problem)
    return ProcessSandbox()


@functools.cache
def _warn_once(problem: str) -> None:
    log.warning(
        "sandbox isolation is reduced: functions run as plain processes (no namespaces, "
        "host files visible, memory capped by rlimit only; as Lamina's own user, not "
        "sbx_user1051, with no seccomp filter and no limit of 1,024 processes) because %s",
        problem,
    )
