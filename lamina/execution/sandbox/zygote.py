"""Zygotes: execution environments forked from a warm runtime process (issue 13).

A new interpreter in a new bwrap sandbox costs about 40 ms of CPU; a fork of a warm one about
1 ms. A zygote (lamina/execution/runtimes/python/zygote.py) is one bwrap sandbox per Python
interpreter, with a user namespace whose capabilities it keeps (its uid 0 is Lamina's own
user on the host; as root, that namespace also maps the sandbox user onto an unprivileged
host id, identity.py), Lamina's cells directory bound in, and the bootstrap imported. Each
environment it forks still gets everything bubblewrap.py's docstring promises: its own
mount, PID, IPC and UTS namespaces, its own /var/task, /opt, /tmp (capped), /dev/shm and
/proc, no other cell's code, the host's system directories read-only, exactly its spec's
environment, its memory limit, and, before the bootstrap runs, a user namespace of its own
in which it is sbx_user1051 without capabilities, its process limit and the seccomp filter.
The zygote is started in its network's namespace (network.py) like any bwrap, so its forks
are in it too, at no cost of their own: one zygote per interpreter and network (networks.py).

Where a zygote cannot start (no user namespaces) environments are spawned as before, and one
warning says so. The environments' PID namespaces are nested in the zygote's sandbox's, so a
zygote that dies takes its environments with it (their invokes fail as Runtime.ExitError and
the next ones start in a new zygote); Lamina ends its zygotes only when it stops.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from lamina.execution.sandbox import identity, proctree, seccomp
from lamina.execution.sandbox.base import SandboxProcess, SandboxSpec
from lamina.execution.sandbox.child import RecordedProcess
from lamina.execution.sandbox.limits import Confinement
from lamina.execution.sandbox.readable import Watched, readable

log = logging.getLogger("lamina.execution")

CELLS_INSIDE = "/var/lamina/cells"  # as runtimes/python/zygote.py names it
START_TIMEOUT_S = 10.0
ZYGOTE_DATA_MB = 10240  # the largest MemorySize: each environment lowers it to its own


@dataclass(frozen=True)
class ZygoteSpec:
    """What to fork an environment from: the zygote's own sandbox, and the cells directory
    (each environment's task_dir and layers_dir lie directly in it)."""

    name: str  # one zygote per name (the interpreter)
    spec: SandboxSpec
    cells_dir: Path


class Zygote:
    def __init__(
        self, spawn_sandbox: Callable[[SandboxSpec, bool], SandboxProcess], zygote: ZygoteSpec
    ) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._sock = ours
        self._lock = threading.Lock()
        # What each environment is made with: the ids it takes before its own user namespace
        # maps them to 993/990 (identity.py), and the seccomp filter, read once at start.
        uid, gid = identity.outer_ids()
        env = {"_LAMINA_ZYGOTE_FD": str(theirs.fileno()), "_LAMINA_OUTER_IDS": f"{uid}:{gid}"}
        pass_fds = [theirs.fileno()]
        bpf = seccomp.filter_fd()
        if bpf is not None:
            env["_LAMINA_SECCOMP_FD"] = str(bpf)
            pass_fds.append(bpf)
        spec = replace(
            zygote.spec,
            env={**zygote.spec.env, **env},
            pass_fds=tuple(pass_fds),
            ro_binds=(*zygote.spec.ro_binds, (zygote.cells_dir, Path(CELLS_INSIDE))),
            memory_mb=ZYGOTE_DATA_MB,
        )
        try:
            self.process: SandboxProcess = spawn_sandbox(spec, True)
        finally:
            theirs.close()
            if bpf is not None:
                os.close(bpf)
        ready = readable(ours, START_TIMEOUT_S)
        said = ours.recv(16) if ready else b""
        if said != b"ready":
            self.close()
            raise OSError(f"the {zygote.name} zygote did not start (said {said!r})")

    def alive(self) -> bool:
        return self.process.poll() is None

    def fork(self, spec: SandboxSpec) -> ForkedProcess:
        """A new environment of `spec` (task_dir and layers_dir in the cells directory)."""
        assert spec.layers_dir is not None and spec.layers_dir.name == f"{spec.task_dir.name}.opt"
        confinement = Confinement(spec.memory_mb)
        request = {
            "cell": spec.task_dir.name,
            "tmp_bytes": spec.ephemeral_storage_mb * 1024 * 1024,
            "data_kb": spec.memory_mb * 1024,
            "env": spec.env,
            "cwd": spec.cwd,
        }
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        channel_fd = int(spec.env["_LAMINA_CHANNEL_FD"])
        fds = [theirs.fileno(), spec.stdout or 1, channel_fd]
        procs = None
        try:
            if confinement.cgroup is not None:
                procs = os.open(confinement.cgroup.procs, os.O_WRONLY)
                fds.append(procs)
            with self._lock:
                socket.send_fds(self._sock, [json.dumps(request).encode()], fds)
            theirs.close()
            ready = readable(ours, START_TIMEOUT_S)
            _, pidfds, _, _ = socket.recv_fds(ours, 1, 1) if ready else (b"", [], 0, None)
            if not pidfds:
                raise OSError("the zygote's fork did not start")
        except BaseException:
            ours.close()
            theirs.close()
            confinement.release()
            raise
        finally:
            if procs is not None:
                os.close(procs)
        return ForkedProcess(ours, pidfds[0], confinement)

    def close(self) -> None:
        # Its environments end with it: their PID namespaces are nested in its sandbox's.
        self._sock.close()
        self.process.kill()


class ForkedProcess(RecordedProcess):
    """An environment forked by a zygote: Lamina holds a pidfd of its PID 1 and a socket on
    which its init sends the exit status (the environment is not Lamina's child)."""

    def __init__(self, status: socket.socket, pidfd: int, confinement: Confinement) -> None:
        super().__init__(_pid_of(pidfd), pidfd, confinement)
        self._status_sock = status
        self._exit_told = Watched(status)

    def poll(self) -> int | None:
        with self._lock:
            if self._status is None and self._exit_told.readable(0):
                self._finish(self._status_sock.recv(4))
            return self._status

    def _wait_exit(self, timeout: float | None) -> None:
        self._exit_told.readable(timeout)  # readable: a status, or EOF

    def kill(self) -> None:
        with self._lock:
            if self._status is not None:
                return
            # PID 1 of its namespace: when it dies the kernel kills every process in it.
            assert self._pidfd is not None
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
            self._confinement.kill()
        self.wait(5.0)

    def peak_memory_bytes(self) -> int | None:
        with self._lock:
            cgroup_peak = self._confinement.peak_bytes()
            if cgroup_peak is not None:
                return max(cgroup_peak, self._peak)
            if self._status is None and self.pid:
                # Below its init, which is a copy of the zygote: its resident pages are the
                # zygote's, shared, and no more the function's than bwrap's processes are.
                below = proctree.children(self.pid)
                used = sum(proctree.tree_memory_bytes(pid) for pid in below)
                self._peak = max(self._peak, used)
            return self._peak or None

    def _finish(self, said: bytes) -> None:
        # Without a status the init itself was killed (the zygote's sandbox ended).
        self._status_sock.close()
        self._record_exit(struct.unpack(">i", said)[0] if len(said) == 4 else -signal.SIGKILL)


def _pid_of(pidfd: int) -> int:
    """The host's pid of a pidfd's process (for /proc): its fdinfo says."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/self/fdinfo/{pidfd}").read_text().splitlines():
            if line.startswith("Pid:"):
                return int(line.split()[1])
    return 0
