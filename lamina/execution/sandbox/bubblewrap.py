"""The bubblewrap backend: each execution environment in its own namespaces (DESIGN decision 4).

The sandbox sees the system directories and a few /etc files read-only, its code at /var/task,
its runtime at /var/runtime, its layers at /opt (all read-only), a private size-capped /tmp,
its own /proc and /dev, and nothing else of the host. PID, IPC, UTS and mount namespaces are
private; the network is the node's sandboxes' network (network.py: a namespace of their own
where one can be made, joined through nsenter before bwrap starts, else the host's). All
capabilities are dropped, so uid 0 inside can neither remount, raise its limits, nor change
the network namespace's rules.

Python environments are forked from a zygote (zygote.py) where it can start, with the same
promises; this module starts the zygote and, elsewhere, each environment's own bwrap.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import shutil
import signal
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lamina.execution.sandbox import proctree
from lamina.execution.sandbox.base import SandboxBackend, SandboxProcess, SandboxSpec
from lamina.execution.sandbox.child import SpawnedProcess
from lamina.execution.sandbox.limits import Confinement
from lamina.execution.sandbox.network import HostNetwork
from lamina.execution.sandbox.zygote import Zygote, ZygoteSpec

log = logging.getLogger("lamina.execution")

BWRAP = "bwrap"
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# From /etc only what programs need: name resolution, TLS roots, users, time zone, the loader.
ETC_PATHS = (
    "resolv.conf", "hosts", "host.conf", "nsswitch.conf", "gai.conf", "ssl", "ca-certificates",
    "passwd", "group", "localtime", "ld.so.cache", "alternatives",
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


def bwrap_options(spec: SandboxSpec) -> list[str]:
    """bwrap's options for `spec`, without the command."""
    opts = ["--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent"]
    opts += ["--new-session", "--cap-drop", "ALL", "--clearenv"]
    for d in SYSTEM_DIRS:
        if os.path.islink(d):  # merged /usr: /bin -> usr/bin stays a symlink
            opts += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            opts += ["--ro-bind", d, d]
    for name in ETC_PATHS:
        if os.path.exists(f"/etc/{name}"):
            opts += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    opts += ["--proc", "/proc", "--dev", "/dev"]
    opts += ["--size", str(spec.ephemeral_storage_mb * 1024 * 1024), "--tmpfs", "/tmp"]
    binds = [(spec.task_dir, Path("/var/task"))]
    if spec.runtime_dir is not None:
        binds.append((spec.runtime_dir, Path("/var/runtime")))
    if spec.layers_dir is not None:
        binds.append((spec.layers_dir, Path("/opt")))
    # Extra binds last: they may land inside the ones above (the SDK inside /var/runtime).
    binds += spec.ro_binds
    for host, inside in binds:
        opts += ["--ro-bind", str(host), str(inside)]
    for key, value in spec.env.items():
        opts += ["--setenv", key, value]
    return [*opts, "--chdir", spec.cwd]


def command(spec: SandboxSpec) -> list[str]:
    # bwrap always exports PWD after --chdir; unset it again so the environment is exactly
    # spec.env (one extra exec of /usr/bin/env, well under a millisecond).
    if "PWD" in spec.env:
        return list(spec.argv)
    return ["/usr/bin/env", "-u", "PWD", "--", *spec.argv]


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
        select.select([pidfd], [], [], 2.0)  # readable once it (and its namespace) has ended
    except ProcessLookupError:
        pass
    finally:
        os.close(pidfd)


class BubblewrapSandbox(SandboxBackend):
    name = "bubblewrap"
    remaps_paths = True

    def __init__(self, bwrap: str | None = None, network: HostNetwork | None = None) -> None:
        self.bwrap = bwrap or shutil.which(BWRAP) or "/usr/bin/bwrap"
        # Every sandbox joins it, a zygote's forks by inheritance (the node owns and ends it).
        self.network = network or HostNetwork()
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

    def _spawn(self, spec: SandboxSpec, extra_options: list[str] | None = None) -> SandboxProcess:
        confinement = Confinement(spec.memory_mb)
        # The options go through a memfd (--args), not the command line, because a host's
        # /proc/<pid>/cmdline is world-readable and the environment holds credentials; and
        # bwrap itself runs with an empty environment so nothing in spec.env (LD_PRELOAD...)
        # acts on the host side. bwrap closes the fd before running the command.
        args_fd = os.memfd_create("lamina-bwrap-args")
        try:
            options = [*bwrap_options(spec), *(extra_options or [])]  # --cap-add after --cap-drop
            os.write(args_fd, b"".join(a.encode() + b"\0" for a in options))
            os.lseek(args_fd, 0, os.SEEK_SET)
            argv = [self.bwrap, "--args", str(args_fd), "--", *command(spec)]
            popen = subprocess.Popen(
                confinement.wrap(self.network.enter(argv)),
                env={},
                cwd="/",
                stdin=subprocess.DEVNULL,
                stdout=spec.stdout,
                stderr=spec.stderr,
                pass_fds=(*spec.pass_fds, args_fd),
                start_new_session=True,  # a terminal's Ctrl-C is Lamina's to handle, not bwrap's
            )
        except BaseException:
            confinement.release()
            raise
        finally:
            with contextlib.suppress(OSError):
                os.close(args_fd)
        return BubblewrapProcess(popen, confinement)
