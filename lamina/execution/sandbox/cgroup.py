"""cgroup v2 confinement of one sandbox: memory, pids and CPU in proportion to memory.

Used only where /sys/fs/cgroup is a writable cgroup2 hierarchy with the memory, pids and cpu
controllers available to Lamina's own cgroup (a container with a private cgroup namespace, or a
systemd service with Delegate=yes). Everywhere else the caller falls back to rlimits.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import threading
import time
import uuid
from pathlib import Path

log = logging.getLogger(__name__)

ROOT = Path("/sys/fs/cgroup")
CONTROLLERS = ("memory", "pids", "cpu")
MB_PER_VCPU = 1769  # Lambda: one full vCPU at 1,769 MB
CPU_PERIOD_US = 100_000
PIDS_MAX = 1024  # Lambda's limit on processes/threads per execution environment

_lock = threading.Lock()
_parent: Path | None = None
_probed = False


def limits_for(memory_mb: int) -> dict[str, str]:
    """The cgroup files to write for a function with `memory_mb` of memory."""
    share = memory_mb / MB_PER_VCPU  # vCPUs, as Lambda allots them
    return {
        "memory.max": str(memory_mb * 1024 * 1024),
        "memory.swap.max": "0",  # swapping would let the tree exceed its memory silently
        "pids.max": str(PIDS_MAX),
        # weight: the share under contention (100 = one vCPU); max: the hard ceiling.
        "cpu.weight": str(max(1, min(10_000, round(100 * share)))),
        "cpu.max": f"{max(1000, round(CPU_PERIOD_US * share))} {CPU_PERIOD_US}",
    }


def _is_cgroup2(path: Path) -> bool:
    with open("/proc/self/mountinfo") as mounts:
        for line in mounts:
            fields = line.split()
            sep = fields.index("-")
            if fields[4] == str(path) and fields[sep + 1] == "cgroup2":
                return True
    return False


def _own_cgroup(root: Path) -> Path:
    with open("/proc/self/cgroup") as f:
        for line in f:
            if line.startswith("0::"):
                return root / line[3:].strip().lstrip("/")
    raise OSError(errno.ENOENT, "no cgroup v2 entry in /proc/self/cgroup")


def _enable_controllers(own: Path) -> None:
    wanted = " ".join(f"+{c}" for c in CONTROLLERS)
    try:
        (own / "cgroup.subtree_control").write_text(wanted)
    except OSError as e:
        if e.errno != errno.EBUSY:
            raise
        # "No internal processes": a non-root cgroup holding processes cannot hand controllers
        # to children, so Lamina moves itself into a leaf first (as container runtimes do).
        leaf = own / "lamina-main"
        leaf.mkdir(exist_ok=True)
        (leaf / "cgroup.procs").write_text(str(os.getpid()))
        (own / "cgroup.subtree_control").write_text(wanted)


def _probe(root: Path = ROOT) -> Path | None:
    if not _is_cgroup2(root):
        return None
    own = _own_cgroup(root)
    available = (own / "cgroup.controllers").read_text().split()
    if not all(c in available for c in CONTROLLERS) or not os.access(own, os.W_OK):
        return None
    _enable_controllers(own)
    return own


def sandbox_parent() -> Path | None:
    """Where sandbox cgroups are created, or None when cgroup v2 is not usable here."""
    global _parent, _probed
    with _lock:
        if not _probed:
            _probed = True
            try:
                _parent = _probe()
            except OSError as e:
                log.info("cgroup v2 not usable for sandboxes (%s); using rlimits", e)
    return _parent


class SandboxCgroup:
    """One sandbox's cgroup: created with its limits, killed and removed as a whole."""

    def __init__(self, parent: Path, memory_mb: int) -> None:
        self.path = parent / f"lamina-sbx-{uuid.uuid4().hex[:12]}"
        self.path.mkdir()
        for name, value in limits_for(memory_mb).items():
            if (self.path / name).exists():  # memory.swap.max is absent without swap accounting
                (self.path / name).write_text(value)

    @property
    def procs(self) -> Path:
        return self.path / "cgroup.procs"

    def peak_bytes(self) -> int | None:
        # memory.peak exists from Linux 5.19; memory.current is a lower bound before that.
        for name in ("memory.peak", "memory.current"):
            with contextlib.suppress(OSError, ValueError):
                return int((self.path / name).read_text())
        return None

    def kill(self) -> bool:
        """SIGKILL every process in the group (cgroup.kill, Linux 5.14+); False if unsupported."""
        try:
            (self.path / "cgroup.kill").write_text("1")
            return True
        except OSError:
            return False

    def remove(self) -> None:
        # The group can be briefly busy while killed processes are still being reaped.
        for _ in range(50):
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError as e:
                if e.errno != errno.EBUSY:
                    break
                time.sleep(0.01)
        log.warning("could not remove sandbox cgroup %s", self.path)
