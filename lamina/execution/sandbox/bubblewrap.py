"""The bubblewrap backend: each execution environment in its own namespaces (DESIGN decision 4).

The sandbox sees the system directories and a few /etc files read-only, its code at /var/task,
its runtime at /var/runtime, its layers at /opt (all read-only), a private size-capped /tmp,
its own /proc and /dev, and nothing else of the host. PID, IPC, UTS and mount namespaces are
private; the network is the one the spec names among the node's sandbox networks
(networks.py, network.py: a namespace of their own where one can be made, joined through
nsenter before bwrap starts, else the host's). The
function runs as sbx_user1051 (uid 993) in a user namespace of its own, with no capabilities
(it can neither remount, raise its limits, nor change the network namespace's rules), at
most 1,024 processes (identity.py) and a seccomp filter (seccomp.py).

Python environments are forked from a zygote (zygote.py) where it can start, with the same
promises; this module starts the zygote and, elsewhere, each environment's own bwrap.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lamina.execution.sandbox import identity, limits, proctree, seccomp
from lamina.execution.sandbox.base import SandboxBackend, SandboxProcess, SandboxSpec
from lamina.execution.sandbox.child import SpawnedProcess
from lamina.execution.sandbox.limits import Confinement
from lamina.execution.sandbox.network import HostNetwork
from lamina.execution.sandbox.networks import SandboxNetworks
from lamina.execution.sandbox.readable import readable
from lamina.execution.sandbox.zygote import Zygote, ZygoteSpec

log = logging.getLogger("lamina.execution")

BWRAP = "bwrap"
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# From /etc only what programs need: name resolution, TLS roots, time zone, the loader. Users
# and groups are the sandbox's own (identity.PASSWD), not the host's.
ETC_PATHS = (
    "resolv.conf", "hosts", "host.conf", "nsswitch.conf", "gai.conf", "ssl", "ca-certificates",
    "localtime", "ld.so.cache", "alternatives",
)  # fmt: skip

# --die-with-parent sets PR_SET_PDEATHSIG, which fires when the *thread* that forked bwrap
# exits, not the process. Spawning from one long-lived thread keeps sandboxes alive for as long
# as Lamina is, whichever (possibly short-lived) thread asked for them.
_spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lamina-bwrap-spawn")


def interpreter_path(executable: str) -> str:
    """The path to run `executable` by inside the sandbox (symlinks, e.g. a venv's, resolved)."""
    return os.path.realpath(executable)


def interpreter_binds(executable: str) -> tuple[tuple[Path, Path], ...]:
    """Read-only binds that make `executable` (python3, node, ...) runnable in the sandbox.

    Only the interpreter's install prefix is bound (e.g. /root/.pyenv/versions/3.11.7), never
    the home directory around it; for a venv it is the base interpreter's prefix, so none of
    the venv's packages (Lamina's own) are visible. Nothing is needed for interpreters under
    /usr. Run the interpreter by interpreter_path(executable).
    """
    real = Path(interpreter_path(executable))
    prefixes = [_install_prefix(real)]
    venv_cfg = _install_prefix(real) / "pyvenv.cfg"  # a venv made with --copies
    if venv_cfg.is_file():
        prefixes.append(_install_prefix(_venv_home(venv_cfg)))
    unique = dict.fromkeys(p for p in prefixes if not _is_system(p))
    return tuple((p, p) for p in unique)


def _install_prefix(real: Path) -> Path:
    return real.parent.parent if real.parent.name == "bin" else real.parent


def _venv_home(cfg: Path) -> Path:
    for line in cfg.read_text().splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "home":
            return Path(os.path.realpath(value.strip())) / "python"
    return cfg.parent / "bin" / "python"


def _is_system(path: Path) -> bool:
    return any(path.is_relative_to(d) for d in SYSTEM_DIRS)


def bwrap_options(
    spec: SandboxSpec, fds: list[int], zygote: bool = False, etc: dict[str, str] | None = None
) -> list[str]:
    """bwrap's options for `spec`, without the command; the descriptors they name (bwrap reads
    them at start) are appended to `fds`. A zygote's sandbox keeps its capabilities and runs
    as root of its user namespace, without the seccomp filter, to build environments. `etc`:
    files of /etc by name, in place of the host's (its network's resolv.conf)."""
    etc = {"passwd": identity.PASSWD, "group": identity.GROUP, **(etc or {})}
    opts = ["--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent"]
    opts += ["--new-session", "--cap-drop", "ALL", "--clearenv"]
    opts += _user_options(fds, zygote)
    for d in SYSTEM_DIRS:
        if os.path.islink(d):  # merged /usr: /bin -> usr/bin stays a symlink
            opts += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            opts += ["--ro-bind", d, d]
    opts += ["--dir", "/etc"]  # 0755: bwrap makes the parents of binds 0700
    for name in ETC_PATHS:
        if name not in etc and os.path.exists(f"/etc/{name}"):
            opts += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    for name, text in etc.items():
        fds.append(identity.data_fd(name, text))
        opts += ["--perms", "0444", "--ro-bind-data", str(fds[-1]), f"/etc/{name}"]
    opts += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/dev/shm"]
    size = str(spec.ephemeral_storage_mb * 1024 * 1024)
    opts += ["--perms", "1777", "--size", size, "--tmpfs", "/tmp"]  # the function's to write
    binds = [(spec.task_dir, Path("/var/task"))]
    if spec.runtime_dir is not None:
        binds.append((spec.runtime_dir, Path("/var/runtime")))
    if spec.layers_dir is not None:
        binds.append((spec.layers_dir, Path("/opt")))
    # Extra binds last: they may land inside the ones above (the SDK inside /var/runtime).
    binds += spec.ro_binds
    # bwrap makes missing parents 0700, which the sandbox user could not pass: made here.
    for parent in _parents_to_make([inside for _, inside in binds]):
        opts += ["--dir", parent]
    for host, inside in binds:
        opts += ["--ro-bind", str(host), str(inside)]
    if zygote and spec.layers_dir is None:
        opts += ["--dir", "/opt"]  # where it mounts each environment's layers
    if not zygote:
        bpf = seccomp.filter_fd()
        if bpf is not None:
            fds.append(bpf)
            opts += ["--seccomp", str(bpf)]
    for key, value in spec.env.items():
        opts += ["--setenv", key, value]
    return [*opts, "--chdir", spec.cwd]


def _user_options(fds: list[int], zygote: bool) -> list[str]:
    if identity.as_root():  # a namespace whose 993 is unprivileged on the host (identity.py)
        # bwrap leaves this fd open in the sandbox: it names the sandbox's own namespace,
        # which nothing inside can enter (no capabilities; seccomp refuses setns).
        fds.append(identity.user_namespace())
        opts = ["--userns", str(fds[-1]), "--uid", "0", "--gid", "0"]
        if zygote:
            return [*opts, "--cap-add", "ALL"]
        # For setpriv in command(): it becomes 993 and, doing so, loses both.
        return [*opts, "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    if zygote:
        return ["--unshare-user", "--uid", "0", "--gid", "0", "--cap-add", "ALL"]
    uid, gid = str(identity.SANDBOX_UID), str(identity.SANDBOX_GID)
    return ["--unshare-user", "--uid", uid, "--gid", gid]


def nproc_on_host() -> bool:
    """As root the process limit can be set by the host-side shell before bwrap (one exec
    fewer than prlimit inside): bwrap itself is root on the host, which the limit exempts,
    and the namespace Lamina made has no cap of its own (identity.py). Run by another user,
    bwrap makes the namespace, so the limit must come after, inside."""
    return identity.as_root() and limits.shell_nproc_option() is not None


def _parents_to_make(insides: list[Path]) -> list[str]:
    made = {Path("/"), *map(Path, SYSTEM_DIRS), *insides}
    parents: list[str] = []
    for inside in insides:
        for parent in reversed(inside.parents):
            within_bind = any(parent.is_relative_to(other) for other in insides)
            if parent not in made and not within_bind and not _is_system(parent):
                made.add(parent)
                parents.append(str(parent))
    return parents


def command(spec: SandboxSpec, nproc_inside: bool = True) -> list[str]:
    """The command bwrap runs: as root, first the switch to the sandbox user; then, unless
    set on the host already (nproc_on_host), its process limit; then spec.argv with exactly
    spec.env: bwrap always exports PWD after --chdir, which /usr/bin/env unsets (each step is
    one exec of a small binary, about a millisecond)."""
    prefix = identity.switch_user_command() if identity.as_root() else []
    if nproc_inside:
        prefix += identity.nproc_command()
    if "PWD" in spec.env:
        return [*prefix, *spec.argv]
    return [*prefix, "/usr/bin/env", "-u", "PWD", "--", *spec.argv]


class BubblewrapProcess(SpawnedProcess):
    def _kill_tree(self) -> None:
        self._confinement.kill()
        # bwrap's only child is the sandbox's PID 1; when it dies the kernel kills every other
        # process in the namespace (daemons, SIGTERM-ignorers) before its exit completes.
        for init in proctree.children(self.pid):
            _kill_and_wait(init)
        proctree.kill_pid(self.pid)


def _kill_and_wait(pid: int) -> None:
    try:
        pidfd = os.pidfd_open(pid)
    except OSError:
        return  # already gone
    try:
        signal.pidfd_send_signal(pidfd, signal.SIGKILL)
        readable(pidfd, 2.0)  # readable once it (and its namespace) has ended
    except ProcessLookupError:
        pass
    finally:
        os.close(pidfd)


class BubblewrapSandbox(SandboxBackend):
    name = "bubblewrap"
    remaps_paths = True

    def __init__(self, bwrap: str | None = None, networks: SandboxNetworks | None = None) -> None:
        self.bwrap = bwrap or shutil.which(BWRAP) or "/usr/bin/bwrap"
        # Every sandbox joins the one its spec names, a zygote's forks by inheritance (a
        # zygote per interpreter and network); the node owns and ends them.
        self.networks = networks or SandboxNetworks(HostNetwork())
        self._zygotes: dict[str, Zygote | None] = {}  # None: it could not start here
        self._zygotes_lock = threading.Lock()

    def spawn(self, spec: SandboxSpec) -> SandboxProcess:
        """A new sandbox; forked from the zygote named in spec.extra["zygote"], where there is
        one (see zygote.py), else a new bwrap."""
        zygote_spec = spec.extra.get("zygote")
        if isinstance(zygote_spec, ZygoteSpec):
            zygote = self._zygote(zygote_spec)
            if zygote is not None:
                try:
                    return zygote.fork(spec)
                except OSError:
                    if zygote.process.wait(1.0) is None:
                        raise  # the zygote lives: the fork itself failed
                zygote = self._zygote(zygote_spec)  # it died meanwhile: once more, in a new one
                if zygote is not None:
                    return zygote.fork(spec)
        return _spawner.submit(self._spawn, spec).result()

    def _zygote(self, zygote_spec: ZygoteSpec) -> Zygote | None:
        with self._zygotes_lock:
            zygote = self._zygotes.get(zygote_spec.name)
            if zygote is not None and not zygote.alive():
                zygote = None  # ended (killed): a new one is started
            elif zygote_spec.name in self._zygotes and zygote is None:
                return None
            if zygote is None:
                try:
                    zygote = _spawner.submit(Zygote, self._spawn, zygote_spec).result()
                except OSError as e:
                    log.warning(
                        "environments of %s start as new interpreters (about 40 ms each, not "
                        "a 1 ms fork): its zygote could not start: %s", zygote_spec.name, e
                    )  # fmt: skip
                    zygote = None
                self._zygotes[zygote_spec.name] = zygote
            return zygote

    def close(self) -> None:
        """End the zygotes (the environments they forked live on until killed)."""
        with self._zygotes_lock:
            zygotes, self._zygotes = list(self._zygotes.values()), {}
        for zygote in zygotes:
            if zygote is not None:
                zygote.close()

    def _spawn(self, spec: SandboxSpec, zygote: bool = False) -> SandboxProcess:
        confinement = Confinement(spec.memory_mb)
        # The options go through a memfd (--args), not the command line, because a host's
        # /proc/<pid>/cmdline is world-readable and the environment holds credentials; and
        # bwrap itself runs with an empty environment so nothing in spec.env (LD_PRELOAD...)
        # acts on the host side. bwrap closes the fd before running the command.
        args_fd = os.memfd_create("lamina-bwrap-args")
        fds = [args_fd]
        try:
            network = self.networks.get(spec.network)
            options = bwrap_options(spec, fds, zygote, network.etc_files())
            os.write(args_fd, b"".join(a.encode() + b"\0" for a in options))
            os.lseek(args_fd, 0, os.SEEK_SET)
            argv = [self.bwrap, "--args", str(args_fd), "--"]
            on_host = not zygote and nproc_on_host()
            # A zygote makes its own users and limits, each environment's.
            argv += spec.argv if zygote else command(spec, nproc_inside=not on_host)
            popen = subprocess.Popen(
                confinement.wrap(
                    network.enter(argv),
                    nproc=identity.NPROC if on_host else None,
                ),
                env={},
                cwd="/",
                stdin=subprocess.DEVNULL,
                stdout=spec.stdout,
                stderr=spec.stderr,
                pass_fds=(*spec.pass_fds, *fds),
                start_new_session=True,  # a terminal's Ctrl-C is Lamina's to handle, not bwrap's
            )
        except BaseException:
            confinement.release()
            raise
        finally:
            for fd in fds:
                with contextlib.suppress(OSError):
                    os.close(fd)
        return BubblewrapProcess(popen, confinement)
