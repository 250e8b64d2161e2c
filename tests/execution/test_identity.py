"""A bwrap sandbox's process is sbx_user1051 (993/990) as on Lambda, with Lambda's limit of
1,024 processes (identity.py) and the seccomp filter (seccomp.py), proven from inside."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lamina.execution.sandbox import BubblewrapSandbox, identity
from tests.execution.sandboxing import needs_bwrap, python_spec, run

pytestmark = needs_bwrap
BWRAP = BubblewrapSandbox()

# Shared with the Invoke tests (tests/services/lambda_/test_sandbox_user.py).
WHO_AND_WHAT = r"""
import ctypes, errno, grp, json, os, pwd
libc = ctypes.CDLL(None, use_errno=True)

def refused(result):
    return errno.errorcode.get(ctypes.get_errno()) if result == -1 else f"allowed ({result})"

def probe():
    for path in ("/tmp/written", "/dev/shm/written"):
        with open(path, "w") as f:
            f.write("x")
    try:
        open("/var/task/written", "w")
        task = "writable"
    except OSError as e:
        task = errno.errorcode[e.errno]
    return {
        "uid": os.getuid(), "gid": os.getgid(), "euid": os.geteuid(), "groups": os.getgroups(),
        "user": pwd.getpwuid(os.getuid()).pw_name, "group": grp.getgrgid(os.getgid()).gr_name,
        "names": sorted(p.pw_name for p in pwd.getpwall()),
        "tmp_owner": os.stat("/tmp/written").st_uid, "task": task,
        "shm_owner": os.stat("/dev/shm/written").st_uid,
        "readable": os.access("/var/task", os.R_OK | os.X_OK),
        "ptrace": refused(libc.ptrace(0, 0, 0, 0)),  # PTRACE_TRACEME
        "mount": refused(libc.mount(b"none", b"/tmp", b"tmpfs", 0, None)),
        "unshare": refused(libc.unshare(0x10000000)),  # CLONE_NEWUSER
        "nproc": __import__("resource").getrlimit(__import__("resource").RLIMIT_NPROC),
        "home": os.environ.get("HOME"),
    }

def fork_bomb(cap=1500, seconds=30.0):
    # Forks children that wait (at most `seconds`) for the pipe to close, until fork fails or
    # `cap` is reached; then ends them all. The answer: how many, and fork's error.
    import select, time
    r, w = os.pipe()
    children, error = [], None
    deadline = time.monotonic() + seconds
    while len(children) < cap and time.monotonic() < deadline:
        try:
            pid = os.fork()
        except OSError as e:
            error = errno.errorcode[e.errno]
            break
        if pid == 0:
            os.close(w)
            select.select([r], [], [], seconds)
            os._exit(0)
        children.append(pid)
    os.close(w)
    for pid in children:
        os.waitpid(pid, 0)
    os.close(r)
    return {"forked": len(children), "error": error}
"""


def expect_sandbox_user(seen: dict) -> None:
    assert (seen["uid"], seen["euid"], seen["gid"]) == (993, 993, 990)
    assert seen["groups"] in ([], [990])
    assert (seen["user"], seen["group"]) == ("sbx_user1051", "sbx_user1051")
    assert seen["names"] == ["nobody", "root", "sbx_user1051"]  # no host user names
    assert seen["tmp_owner"] == seen["shm_owner"] == 993 and seen["readable"] is True
    assert seen["task"] in ("EROFS", "EACCES")
    assert seen["ptrace"] == "EPERM" and seen["mount"] == "EPERM" and seen["unshare"] == "EPERM"
    assert seen["nproc"] == [1024, 1024] or seen["nproc"] == (1024, 1024)
    assert seen["home"] is None  # Lambda sets no HOME for its runtimes


def test_the_process_is_sbx_user1051_without_ptrace_mount_or_namespaces(
    tmp_path: Path,
) -> None:
    task = tmp_path / "task"
    task.mkdir()
    (task / "handler.py").write_text("x = 1\n")
    code = WHO_AND_WHAT + "\nprint(json.dumps(probe()))"
    result = run(BWRAP, python_spec(code, task), tmp_path / "logs")
    assert result.status == 0, result.err
    expect_sandbox_user(json.loads(result.out))


@pytest.mark.timeout(120)
def test_a_fork_bomb_ends_in_eagain_at_lambdas_process_limit(tmp_path: Path) -> None:
    task = tmp_path / "task"
    task.mkdir()
    code = WHO_AND_WHAT + "\nprint(json.dumps(fork_bomb()))"
    result = run(BWRAP, python_spec(code, task), tmp_path / "logs", timeout=90.0)
    assert result.status == 0, result.err
    seen = json.loads(result.out)
    assert seen["error"] == "EAGAIN", seen
    assert identity.NPROC - 16 <= seen["forked"] < identity.NPROC, seen


@pytest.mark.timeout(120)
def test_each_sandbox_counts_its_own_processes(tmp_path: Path) -> None:
    """Two sandboxes at once: each gets (nearly) its 1,024, not 1,024 between them."""
    from tests.execution.sandboxing import Started

    code = WHO_AND_WHAT + "\nimport time\nprint(json.dumps(fork_bomb(cap=700, seconds=20)))"
    started = []
    for n in range(2):
        task = tmp_path / f"task{n}"
        task.mkdir()
        started.append(Started(BWRAP, python_spec(code, task), tmp_path / f"logs{n}"))
    results = [s.result(90.0) for s in started]
    for result in results:
        assert result.status == 0, result.err
        assert json.loads(result.out) == {"forked": 700, "error": None}


def test_passwd_and_group_name_the_sandbox_user_and_keep_root_and_nobody() -> None:
    lines = identity.PASSWD.splitlines()
    assert "sbx_user1051:x:993:990::/home/sbx_user1051:/sbin/nologin" in lines
    assert [line.split(":")[0] for line in lines] == ["root", "sbx_user1051", "nobody"]
    assert "sbx_user1051:x:990:" in identity.GROUP.splitlines()
