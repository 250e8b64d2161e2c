"""The seccomp filter of every execution environment: the system calls a function is refused.

The deny-list is the one container runtimes' default profiles refuse (Docker's, Podman's):
debugging other processes, mounting, loading kernel code or keys, rebooting, swapping,
handles that bypass the mount namespace, and making or entering namespaces. Each is refused
with EPERM, as a capability check would; everything else is allowed. The filter is built once
on the host with libseccomp (through pyseccomp) and exported as BPF: bwrap installs it with
--seccomp, a zygote's environment with prctl(PR_SET_SECCOMP) after no_new_privs.

Namespaces: unshare(2) is refused when it asks for a namespace, clone(2) likewise, and
clone3(2), whose flags lie in memory a filter cannot read, answers ENOSYS so that libc falls
back to clone(2) (as Docker's profile does); setns(2) is refused outright.
"""

from __future__ import annotations

import errno
import functools
import logging
import os
import platform

log = logging.getLogger("lamina.execution")

REFUSED = (
    "ptrace", "process_vm_readv", "process_vm_writev",
    "mount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen", "fsmount",
    "fsconfig", "fspick", "mount_setattr",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "bpf", "perf_event_open", "add_key", "request_key", "keyctl",
    "reboot", "swapon", "swapoff", "open_by_handle_at", "userfaultfd", "setns",
)  # fmt: skip
# CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET, NEWTIME.
CLONE_NEWTIME = 0x80
NAMESPACE_FLAGS = (0x20000, 0x2000000, 0x4000000, 0x8000000, 0x10000000, 0x20000000,
                   0x40000000, CLONE_NEWTIME)  # fmt: skip
# Where a 64-bit kernel also runs 32-bit programs, their system calls are filtered too (a
# filter without their architecture would kill them).
COMPAT_ARCHES = {"x86_64": ("X86", "X32"), "aarch64": ("ARM",)}


@functools.cache
def filter_bpf() -> bytes | None:
    """The filter as BPF (a sock_filter array), or None where libseccomp is missing (one
    warning: environments then run without a filter)."""
    try:
        import pyseccomp as seccomp
    except (ImportError, RuntimeError) as e:  # pyseccomp raises RuntimeError without the .so
        log.warning(
            "execution environments run without a seccomp filter (ptrace, mount, bpf... are "
            "not refused) because libseccomp cannot be loaded: %s (Debian/Ubuntu: apt-get "
            "install libseccomp2)", e
        )  # fmt: skip
        return None
    refuse = seccomp.ERRNO(errno.EPERM)
    f = seccomp.SyscallFilter(seccomp.ALLOW)
    for arch in COMPAT_ARCHES.get(platform.machine(), ()):
        f.add_arch(getattr(seccomp.Arch, arch))
    for name in REFUSED:
        _add(f, refuse, name)
    for flag in NAMESPACE_FLAGS:
        # One rule per flag: "any of these bits" is not one comparison, "this bit" is. (For
        # clone, 0x80 is part of the exit signal: CLONE_NEWTIME is for unshare and clone3.)
        for name in ("unshare", "clone") if flag != CLONE_NEWTIME else ("unshare",):
            _add(f, refuse, name, seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
    _add(f, seccomp.ERRNO(errno.ENOSYS), "clone3")
    memfd = os.memfd_create("lamina-seccomp")
    try:
        with os.fdopen(memfd, "w+b", closefd=False) as file:
            f.export_bpf(file)
        return os.pread(memfd, 1 << 20, 0)
    finally:
        os.close(memfd)


def _add(f: object, action: int, name: str, *args: object) -> None:
    try:
        f.add_rule(action, name, *args)  # type: ignore[attr-defined]
    except (OSError, ValueError, RuntimeError):  # a call this kernel's headers do not know
        log.debug("seccomp: %s is not a system call here", name)


def filter_fd() -> int | None:
    """A new memfd holding the BPF filter, at offset 0, for one bwrap to read (--seccomp)."""
    bpf = filter_bpf()
    if bpf is None:
        return None
    fd = os.memfd_create("lamina-seccomp")
    os.write(fd, bpf)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd
