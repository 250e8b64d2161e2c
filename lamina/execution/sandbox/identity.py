"""Who a function runs as: sbx_user1051, uid 993, gid 990, as on Lambda, in a user namespace
of its own environment, with at most 1,024 processes and threads (Lambda's quota).

The process limit is RLIMIT_NPROC, which the kernel counts per user in each user namespace,
and which it does not apply to processes whose user on the host is root (copy_process). So
the sandbox user must be an unprivileged user on the host too:

- Lamina run by an ordinary user: a sandbox's uid 993 is that user on the host (bwrap's
  --unshare-user --uid 993, or a zygote's environment mapping 993 onto its own uid 0).
- Lamina run as root: uid 993 is uid 2,000,000,993 on the host (gid 990 is 2,000,000,990),
  ids no host user has (nor `nobody`, whose daemons could otherwise ptrace a function as
  their own), and the environment's user namespace also maps root onto root, so bwrap (or
  the zygote) can build the sandbox from root-owned files before the function's processes
  become 993. bwrap cannot write such a map itself, so Lamina makes the namespace
  (user_namespace) and hands it over (--userns).

Each environment has its own user namespace, so each counts its own processes: a fork bomb
ends in EAGAIN at 1,024 in its environment and nowhere else. The limit is set inside the
namespace, after it exists (a namespace remembers its creator's limit as a cap on everything
below it, which would then count every environment together).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor

SANDBOX_USER = "sbx_user1051"
SANDBOX_UID, SANDBOX_GID = 993, 990
NPROC = 1024  # Lambda's "execution processes/threads" quota
# Above the ranges distributions, systemd (DynamicUser, nspawn) and subordinate ids use.
HOST_IDS_AS_ROOT = (2_000_000_000 + SANDBOX_UID, 2_000_000_000 + SANDBOX_GID)

# The /etc/passwd and /etc/group a function sees (not the host's: no host user names).
PASSWD = (
    "root:x:0:0:root:/root:/sbin/nologin\n"
    f"{SANDBOX_USER}:x:{SANDBOX_UID}:{SANDBOX_GID}::/home/{SANDBOX_USER}:/sbin/nologin\n"
    "nobody:x:65534:65534:Kernel Overflow User:/:/sbin/nologin\n"
)
GROUP = f"root:x:0:\n{SANDBOX_USER}:x:{SANDBOX_GID}:\nnobody:x:65534:\n"


@functools.cache
def as_root() -> bool:
    """True when Lamina is root on the host, which the kernel exempts from RLIMIT_NPROC: uid 0
    in a user namespace whose uid 0 is its parent's uid 0 (the host's own namespace maps every
    id onto itself). Root of a rootless container's namespace is an ordinary user of the host
    and is served as one; Lamina then needs no namespace of its making."""
    if os.geteuid() != 0:
        return False
    try:
        with open("/proc/self/uid_map") as f:
            lines = [line.split() for line in f]
    except OSError:
        return True  # a kernel without user namespaces: there is only the host's
    return any(inside == "0" and outside == "0" for inside, outside, _ in lines)


def outer_ids() -> tuple[int, int]:
    """The uid and gid a zygote's environment switches to in the zygote's namespace before
    mapping them to 993/990 in its own: 993/990 (HOST_IDS_AS_ROOT on the host) as root; else the
    zygote's uid 0, which is Lamina's user on the host."""
    return (SANDBOX_UID, SANDBOX_GID) if as_root() else (0, 0)


def reopenable_by_sandbox(fd: int, mode: int) -> None:
    """For a pipe a sandbox's shell reopens by /proc/self/fd/N (dash can dup only fds 0-9):
    the pipe is Lamina's user's, mode 0600, which the sandbox user, another user on the host,
    may not open; `mode` opens it to whoever can reach it at all, which is only a process
    holding it (the inode has no name)."""
    os.fchmod(fd, mode)


def data_fd(name: str, text: str) -> int:
    """A memfd holding `text` at offset 0, for bwrap to read once (--ro-bind-data)."""
    fd = os.memfd_create(f"lamina-{name}")
    os.write(fd, text.encode())
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


@functools.cache
def tool(name: str) -> str:
    """A util-linux tool's path (setpriv, prlimit, unshare); inside a sandbox /usr is the
    host's, so the same path runs it there. OSError where it is missing."""
    found = shutil.which(name, path="/usr/bin:/bin:/usr/sbin:/sbin")
    if found is None:
        raise OSError(f"{name} (util-linux) is not installed: sandboxes need it")
    return os.path.realpath(found)


class _Ready:
    """A few namespaces made ahead, off the spawn's path (each costs two execs, ~2 ms)."""

    def __init__(self, keep: int = 2) -> None:
        self.keep = keep
        self.fds: list[int] = []
        self.lock = threading.Lock()
        self.maker = ThreadPoolExecutor(1, thread_name_prefix="lamina-userns")

    def take(self) -> int:
        with self.lock:
            fd = self.fds.pop() if self.fds else None
        self.maker.submit(self._refill)
        return fd if fd is not None else new_user_namespace()

    def _refill(self) -> None:
        while True:
            with self.lock:
                if len(self.fds) >= self.keep:
                    return
            try:
                fd = new_user_namespace()
            except OSError:
                return  # the spawn that needs one makes it itself, and says why
            with self.lock:
                self.fds.append(fd)


_ready = _Ready()


def user_namespace() -> int:
    """As root: a user namespace for one sandbox (see new_user_namespace), made ahead."""
    return _ready.take()


def new_user_namespace() -> int:
    """As root: a new user namespace mapping root onto root and 993/990 onto HOST_IDS_AS_ROOT,
    as an fd (for bwrap's --userns). A short-lived `unshare --user` makes it (Lamina is threaded and
    cannot unshare itself); Lamina writes the maps, which only root may, then lets it go."""
    host_uid, host_gid = HOST_IDS_AS_ROOT
    helper = subprocess.Popen(
        [tool("unshare"), "--user", "--", "/bin/sh", "-c", "echo; read _"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,  # a line once the namespace exists
        env={},
    )
    assert helper.stdin is not None and helper.stdout is not None
    try:
        if not helper.stdout.readline():
            raise OSError("unshare --user could not make a user namespace")
        _write(f"/proc/{helper.pid}/uid_map", f"0 0 1\n{SANDBOX_UID} {host_uid} 1\n")
        _write(f"/proc/{helper.pid}/gid_map", f"0 0 1\n{SANDBOX_GID} {host_gid} 1\n")
        return os.open(f"/proc/{helper.pid}/ns/user", os.O_RDONLY | os.O_CLOEXEC)
    finally:
        helper.stdin.close()  # `read` ends; the namespace lives on through the fd
        helper.stdout.close()
        helper.wait()


def _write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def switch_user_command() -> list[str]:
    """As root, the command prefix inside the sandbox that makes the process 993/990 (bwrap
    builds the sandbox as root of its namespace, keeping only CAP_SETUID and CAP_SETGID for
    this: setuid drops them, and no_new_privs keeps them from coming back)."""
    return [tool("setpriv"), f"--reuid={SANDBOX_UID}", f"--regid={SANDBOX_GID}",
            "--clear-groups", "--inh-caps=-all", "--"]  # fmt: skip


def nproc_command() -> list[str]:
    """The command prefix inside the sandbox that sets RLIMIT_NPROC, soft and hard."""
    return [tool("prlimit"), f"--nproc={NPROC}:{NPROC}", "--"]
