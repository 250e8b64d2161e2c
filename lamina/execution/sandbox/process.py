"""The fallback backend: a plain process in its own session, with rlimits and no namespaces.

Used where bubblewrap cannot run. It keeps what needs no privileges: exactly spec.env, the
memory cap, a process group to kill. It cannot remap paths (remaps_paths is False): the code
stays at spec.task_dir and the process works there; /tmp, the home directory and every other
host file remain visible to the function.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from pathlib import PurePosixPath

from lamina.execution.sandbox import proctree
from lamina.execution.sandbox.base import SandboxBackend, SandboxProcess, SandboxSpec
from lamina.execution.sandbox.child import SpawnedProcess
from lamina.execution.sandbox.limits import Confinement


class ProcessTree(SpawnedProcess):
    def _kill_tree(self) -> None:
        self._confinement.kill()
        # Snapshot first: children that left the group with setsid() are still found by
        # parentage. Only a daemon that double-forked away from its parent can escape this
        # backend; bubblewrap's PID namespace has no such gap.
        tree = proctree.descendants(self.pid)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        for pid in tree:
            proctree.kill_pid(pid)


def host_cwd(spec: SandboxSpec) -> str:
    """spec.cwd in host terms: /var/task (and below) is spec.task_dir here."""
    cwd = PurePosixPath(spec.cwd)
    if cwd.is_relative_to("/var/task"):
        return str(spec.task_dir / cwd.relative_to("/var/task"))
    return spec.cwd


class ProcessSandbox(SandboxBackend):
    name = "process"
    remaps_paths = False

    def spawn(self, spec: SandboxSpec) -> SandboxProcess:
        confinement = Confinement(spec.memory_mb)
        try:
            popen = subprocess.Popen(
                # The wrapper runs with spec.env too: it is the function's own environment.
                # Its network is the host's (entering it is argv itself); asking for the VPC
                # one says, once, that it cannot be kept here (networks.unkept_vpc).
                confinement.wrap(
                    self.networks.get(spec.network).enter(list(spec.argv)),
                    unset_pwd="PWD" not in spec.env,
                ),
                env=spec.env,
                cwd=host_cwd(spec),
                stdin=subprocess.DEVNULL,
                stdout=spec.stdout,
                stderr=spec.stderr,
                pass_fds=spec.pass_fds,
                start_new_session=True,  # its own process group: kill() ends the group
            )
        except BaseException:
            confinement.release()
            raise
        return ProcessTree(popen, confinement)
