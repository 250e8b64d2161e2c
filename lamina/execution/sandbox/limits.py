"""Resource limits of one sandbox: a cgroup v2 group where possible, else rlimits.

Both are applied by a tiny /bin/sh wrapper that runs on the host between fork and the exec of
the sandbox (bwrap, or the command itself), so everything the sandbox ever starts inherits them:

- cgroup: `echo 0 > cgroup.procs` moves the wrapper into the sandbox's group before exec.
- rlimits: `ulimit -d` (RLIMIT_DATA) is set before exec, soft and hard, so the function cannot
  raise it (bwrap drops all capabilities, so not even uid 0 inside can).

Why a wrapper: Popen's preexec_fn is unsafe in a threaded server (Lamina is one), and setting
limits with prlimit(2) after spawn races with the runtime's first allocations and with bwrap's
forks, which copy the limits they had at that moment. The wrapper costs about one millisecond.

Why RLIMIT_DATA and not RLIMIT_AS: V8 (Node.js) reserves gigabytes of address space it never
touches, so an address-space cap of 128 MB stops node from starting. RLIMIT_DATA counts only
writable private mappings (heap, anonymous mmap, thread stacks), which is what a function
actually uses; exceeding it makes malloc/mmap fail (Python: MemoryError; Node: a fatal
"heap out of memory" abort), never a hang. Limits of rlimits: they apply per process, not to
the tree, and count reserved writable memory rather than resident memory, so they are stricter
than Lambda for thread-heavy programs and looser for programs that fork.
"""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

from lamina.execution.sandbox import cgroup

NOFILE = 1024  # Lambda's file-descriptor limit per execution environment


class Confinement:
    """The limits of one sandbox and the argv prefix that applies them."""

    def __init__(self, memory_mb: int, use_cgroup: bool = True) -> None:
        self.memory_mb = memory_mb
        parent = cgroup.sandbox_parent() if use_cgroup else None
        self.cgroup = cgroup.SandboxCgroup(parent, memory_mb) if parent else None

    @property
    def mechanism(self) -> str:
        return "cgroup" if self.cgroup else "rlimit"

    def wrap(self, argv: list[str], unset_pwd: bool = False, nproc: int | None = None) -> list[str]:
        """`argv`, run under this confinement. The shell exports PWD, which `unset_pwd` undoes
        for callers that promise an exact environment. `nproc`: RLIMIT_NPROC too (only where
        shell_nproc_option() found the shell's option for it)."""
        steps = ["ulimit -c 0", f"ulimit -n {NOFILE}"]
        if nproc is not None:
            steps.append(f"ulimit {shell_nproc_option()} {nproc}")
        extra: list[str] = []
        if self.cgroup:
            steps.insert(0, 'echo 0 > "$1" && shift')
            extra = [str(self.cgroup.procs)]
        else:
            steps.append(f"ulimit -d {self.memory_mb * 1024}")  # in KiB
        if unset_pwd:
            steps.append("unset PWD")
        script = " && ".join([*steps, 'exec "$@"'])
        return ["/bin/sh", "-c", script, "lamina-sandbox", *extra, *argv]

    def peak_bytes(self) -> int | None:
        return self.cgroup.peak_bytes() if self.cgroup else None

    def kill(self) -> bool:
        return self.cgroup.kill() if self.cgroup else False

    def release(self) -> None:
        """Called once the sandbox's main process is reaped: whatever it left running in its
        group ends with it, as an execution environment ends on Lambda."""
        if self.cgroup:
            self.cgroup.kill()
            self.cgroup.remove()


@functools.cache
def shell_nproc_option() -> str | None:
    """/bin/sh's ulimit option for RLIMIT_NPROC, which POSIX leaves out: -u in bash and
    busybox, -p in dash; None if neither sets it here."""
    for option in ("-u", "-p"):
        probe = subprocess.run(
            ["/bin/sh", "-c", f"ulimit {option} 1024"], capture_output=True, check=False
        )
        if probe.returncode == 0:
            return option
    return None


def cgroup_root() -> Path | None:
    """Where sandbox cgroups live here, or None when rlimits are used (for diagnostics)."""
    return cgroup.sandbox_parent()
