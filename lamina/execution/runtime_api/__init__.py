"""AWS's Lambda Runtime API for custom runtimes (provided.al2023, provided.al2), DESIGN
decision 5: the zip's executable `bootstrap` is started with AWS_LAMBDA_RUNTIME_API naming a
server of its own, and speaks the documented /2018-06-01/runtime/... API to it, so AWS's own
runtime clients (awslambdaric, the Rust, Go and C++ runtimes) run unchanged."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from lamina.execution.runtime_api.link import REGISTERED_FD, RuntimeApiLink

__all__ = ["REGISTERED_FD", "RuntimeApiLink", "bootstrap_problem"]

BOOTSTRAP = "/var/task/bootstrap"


def bootstrap_problem(bootstrap: Path) -> dict[str, Any] | None:
    """Why the bootstrap cannot be started, as Lambda says it (Runtime.InvalidEntrypoint with
    Go's fork/exec wording), or None. Checked before the spawn: inside a sandbox a failed exec
    would only be an exit status."""
    if not bootstrap.exists():  # layers (/opt/bootstrap) would be searched next, as on AWS
        reason = f"Couldn't find valid bootstrap(s): [{BOOTSTRAP} /opt/bootstrap]"
    elif not bootstrap.is_file() or not os.access(bootstrap, os.X_OK):
        reason = f"fork/exec {BOOTSTRAP}: permission denied"
    elif _magic(bootstrap) not in (b"#!", b"\x7fE"):  # neither a script nor an ELF binary
        reason = f"fork/exec {BOOTSTRAP}: exec format error"
    else:
        return None
    return {"errorType": "Runtime.InvalidEntrypoint", "errorMessage": f"Error: {reason}"}


def _magic(path: Path) -> bytes:
    with path.open("rb") as file:
        return file.read(2)
