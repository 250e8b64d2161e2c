"""The python3.x zygote: one warm interpreter, Lamina's bootstrap imported, that forks each new
execution environment instead of starting an interpreter for it (stdlib only, like bootstrap).

It runs in a bubblewrap sandbox of its own with a user namespace whose capabilities it keeps,
so that each fork can make the sandbox of one environment before any of its code runs:

  zygote ── fork, into a new PID namespace ──> init, PID 1 of it: its limits (cgroup,
                rlimits), new mount/IPC/UTS namespaces, its own /var/task, /opt, /tmp,
                /dev/shm, /dev/pts and /proc mounted, every other cell's code unmounted;
                then a user namespace of its own where it is sbx_user1051 (993/990), all
                capabilities dropped, RLIMIT_NPROC, and the seccomp filter Lamina built
                    └─ fork ──> the runtime, PID 2: bootstrap.main

Two processes an environment, each a fork (about 1 ms of CPU in all here, where a new
interpreter costs tens): the zygote moves its children's PID namespace to a new one for the
one fork (unshare(CLONE_NEWPID) affects only the children, setns puts it back), so the init
needs no parent of its own to be forked into it. The init hands Lamina a pidfd of itself,
then the runtime's exit status, on a socket of that environment's own (none, EOF, when the
init was killed). The zygote only forks. Requests come on a SOCK_SEQPACKET socket (fd in
_LAMINA_ZYGOTE_FD): a JSON header and, as SCM_RIGHTS, the status socket, the log pipe, the
channel and, with a cgroup, its cgroup.procs opened by Lamina.
"""

import ctypes
import gc
import json
import os
import resource
import signal
import socket
import struct
import sys
import time

import bootstrap  # loaded once here; each fork has it, copy-on-write

CELLS = "/var/lamina/cells"  # every cell's code and layers, as the zygote sees them
CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWPID = 0x20000, 0x4000000, 0x8000000, 0x20000000
CLONE_NEWUSER = 0x10000000
SANDBOX_UID, SANDBOX_GID, NPROC = 993, 990, 1024  # as lamina/execution/sandbox/identity.py
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
PR_SET_DUMPABLE, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 4, 22, 2
PR_CAPBSET_DROP, PR_SET_SECUREBITS, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT = 24, 28, 38, 47
SECBIT_NOROOT_AND_LOCKED = 0x3  # uid 0 gains no capabilities by exec, and that stays so
_LINUX_CAPABILITY_VERSION_3 = 0x20080522

libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]
libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
libc.prctl.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4
# glibc's fork, called with the GIL held, without os.fork's after-fork work in the child
# (threading's and logging's handlers, which re-create locks other threads might have held):
# the zygote and each init have one thread and hold no lock when they fork, and that work,
# in Python, touches pages of the parent's heap each child then has to copy (about 0.4 ms a
# fork). The runtime's own os.fork() calls, later, have all of it as usual.
_fork = ctypes.PyDLL(None, use_errno=True).fork
_fork.restype = ctypes.c_int

# Set once at start (see __main__): the ids an environment takes in the zygote's namespace
# before its own maps them to 993/990, and the seccomp filter as a struct sock_fprog.
OUTER_IDS = (0, 0)
SECCOMP_PROGRAM = None
with open("/proc/sys/kernel/cap_last_cap") as f:
    CAP_LAST_CAP = int(f.read())


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _load_seccomp(fd):
    """The BPF Lamina exported (8 bytes an instruction), kept for every fork to install."""
    global SECCOMP_PROGRAM
    with os.fdopen(fd, "rb") as f:
        bpf = f.read()
    buffer = ctypes.create_string_buffer(bpf, len(bpf))
    SECCOMP_PROGRAM = (_SockFprog(len(bpf) // 8, ctypes.addressof(buffer)), buffer)


def fork():
    pid = _fork()
    if pid < 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"fork: {os.strerror(errno)}")
    return pid


def _check(result, what):
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(source, target, fstype, flags, data=None):
    encoded = [s.encode() if s else None for s in (source, target, fstype)]
    _check(libc.mount(*encoded, flags, data.encode() if data else None), f"mount {target}")


def _bind_read_only(source, target):
    _mount(source, target, None, MS_BIND | MS_REC)
    flags = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV
    _mount(None, target, None, flags)


def _drop_capabilities():
    """As bwrap's --cap-drop ALL: bounding and ambient sets emptied, the capability sets zeroed,
    no privileges by exec (setuid binaries, or uid 0 exec'ing anything)."""
    for cap in range(CAP_LAST_CAP + 1):
        _check(libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0), "drop bounding capability")
    _check(libc.prctl(PR_CAP_AMBIENT, 4, 0, 0, 0), "clear ambient capabilities")
    _check(libc.prctl(PR_SET_SECUREBITS, SECBIT_NOROOT_AND_LOCKED, 0, 0, 0), "securebits")
    header = struct.pack("Ii", _LINUX_CAPABILITY_VERSION_3, 0)
    data = bytes(24)  # two {effective, permitted, inheritable}, all zero
    _check(libc.capset(header, data), "capset")
    _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")


def _become_sandbox_user():
    """A user namespace of the environment's own, where it is 993/990: mapped onto the ids it
    has in the zygote's namespace (OUTER_IDS; a single id onto one's own needs no
    capability). Its own, so that RLIMIT_NPROC counts its processes alone."""
    uid, gid = OUTER_IDS
    if uid != 0:  # as root: 993/990 in the zygote's namespace are unprivileged on the host
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)  # the capabilities go: the mounts are made
    _check(libc.unshare(CLONE_NEWUSER), "unshare the user namespace")
    # A change of user makes a process undumpable, and its /proc/self root's: it must own
    # its maps to write them (bwrap, too, leaves its sandbox dumpable).
    _check(libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), "dumpable")
    for name, text in (
        ("setgroups", "deny"),
        ("uid_map", f"{SANDBOX_UID} {uid} 1"),
        ("gid_map", f"{SANDBOX_GID} {gid} 1"),
    ):
        with open(f"/proc/self/{name}", "w") as f:
            f.write(text)


def _become_environment(request, fds):
    """PID 1 of its own PID namespace: its limits and other namespaces, its mounts, no
    capabilities; then PID 1 stays its init and the runtime runs as PID 2, as in a bwrap
    sandbox (the kernel ignores the signals a namespace's init gets from inside it: `kill -9
    $$` must end the runtime)."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # it reaps (the zygote lets the kernel)
    os.setsid()
    if len(fds) > 3:  # the environment's cgroup, opened by Lamina
        os.write(fds[3], b"0")
        os.close(fds[3])
    else:
        data = request["data_kb"] * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (data, data))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))
    _check(libc.unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS), "unshare")
    status_sock, log_fd, channel_fd = socket.socket(fileno=fds[0]), fds[1], fds[2]
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    cell = request["cell"]
    _bind_read_only(f"{CELLS}/{cell}", "/var/task")
    _bind_read_only(f"{CELLS}/{cell}.opt", "/opt")
    _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={request['tmp_bytes']}")
    _mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    # Its own pseudo-terminals: siblings (all uid 0) must not open each other's.
    _mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666")
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _check(libc.umount2(CELLS.encode(), MNT_DETACH), "unmount the other cells")
    _become_sandbox_user()
    _drop_capabilities()
    # After the user namespace exists: its creator's limit would cap all environments at once.
    resource.setrlimit(resource.RLIMIT_NPROC, (NPROC, NPROC))
    if SECCOMP_PROGRAM is not None:  # after no_new_privs, which an unprivileged filter needs
        program = ctypes.addressof(SECCOMP_PROGRAM[0])
        _check(libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, program, 0, 0), "seccomp")
    pidfd = os.pidfd_open(1)  # itself: Lamina's handle to end the whole namespace
    socket.send_fds(status_sock, [b"P"], [pidfd])
    os.close(pidfd)
    runtime = fork()
    if runtime:
        os.close(log_fd)
        os.close(channel_fd)
        _init(runtime, status_sock)
    status_sock.close()
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    # The channel is fd 3 here, whatever its number is in Lamina: a node holding over 1,024
    # descriptors would otherwise ask for one past this environment's own limit (EBADF).
    target = 3
    if channel_fd != target:
        os.dup2(channel_fd, target)
    os.closerange(target + 1, 1 << 16)
    os.environ.clear()
    os.environ.update(request["env"])
    os.environ["_LAMINA_CHANNEL_FD"] = str(target)
    time.tzset()
    os.chdir(request["cwd"])
    sys.argv = ["/var/runtime/bootstrap.py"]


def _init(runtime, status_sock):
    """PID 1: reap whatever is orphaned until the runtime ends; Lamina gets its status, and
    this init's exit ends everything else in the namespace."""
    while True:
        pid, status = os.wait()
        if pid == runtime:
            status_sock.send(struct.pack(">i", os.waitstatus_to_exitcode(status)))
            os._exit(0)


def serve(sock):
    """Fork one environment per request; True in the environment itself, to run bootstrap."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # its inits are reaped by the kernel
    own_pid_namespace = os.open("/proc/self/ns/pid", os.O_RDONLY)
    sock.send(b"ready")
    while True:
        message, fds, _, _ = socket.recv_fds(sock, 1 << 20, 8)
        if not message:
            return False  # Lamina closed the socket: the zygote ends
        request = json.loads(message)
        init = -1
        try:
            # The next child is PID 1 of a new namespace; then children are born in the
            # zygote's own again (setns), so that the next unshare can make another.
            _check(libc.unshare(CLONE_NEWPID), "unshare the PID namespace")
            init = fork()
        except OSError as exc:  # nothing started: Lamina sees the status socket close
            os.write(2, f"lamina zygote: {exc!r}\n".encode())
        if init != 0:
            _check(libc.setns(own_pid_namespace, CLONE_NEWPID), "setns")
        if init == 0:
            sock.close()
            os.close(own_pid_namespace)
            try:
                _become_environment(request, fds)
                return True
            except BaseException as exc:  # nothing of the function ran: say why, and end
                os.write(2, f"lamina zygote: {exc!r}\n".encode())
                os._exit(70)
        for fd in fds:
            os.close(fd)


if __name__ == "__main__":
    uid, gid = os.environ.pop("_LAMINA_OUTER_IDS").split(":")
    OUTER_IDS = (int(uid), int(gid))
    if "_LAMINA_SECCOMP_FD" in os.environ:
        _load_seccomp(int(os.environ.pop("_LAMINA_SECCOMP_FD")))
    # What is loaded now is shared with every fork, copy-on-write: the collector must not
    # walk it (touching each object's header copies its page into the fork).
    gc.collect()
    gc.freeze()
    if serve(socket.socket(fileno=int(os.environ.pop("_LAMINA_ZYGOTE_FD")))):
        bootstrap.main()
