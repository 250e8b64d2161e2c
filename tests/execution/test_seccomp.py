"""The seccomp filter (seccomp.py): built once as BPF; where libseccomp is missing, one warning
and no filter. What it refuses is proven from inside a sandbox in test_identity.py."""

from __future__ import annotations

import errno
import json
import logging
import os
import sys
from pathlib import Path

import pytest

from lamina.execution.sandbox import BubblewrapSandbox, seccomp
from tests.execution.sandboxing import needs_bwrap, python_spec, run


def test_the_filter_is_bpf_with_a_rule_for_each_refused_call() -> None:
    bpf = seccomp.filter_bpf()
    assert bpf is not None and len(bpf) % 8 == 0  # struct sock_filter: 8 bytes each
    assert len(bpf) > 8 * len(seccomp.REFUSED)
    fd = seccomp.filter_fd()
    assert fd is not None
    try:
        assert os.read(fd, len(bpf) + 1) == bpf  # at offset 0, for bwrap to read
    finally:
        os.close(fd)


def test_without_libseccomp_there_is_one_warning_and_no_filter(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "pyseccomp", None)  # import fails, as without the .so
    build = seccomp.filter_bpf.__wrapped__
    with caplog.at_level(logging.WARNING, logger="lamina.execution"):
        assert build() is None
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "without a seccomp filter" in warnings[0], warnings


@needs_bwrap
def test_threads_forks_and_unshare_without_namespaces_still_work(tmp_path: Path) -> None:
    """The filter refuses namespaces, not processes: clone3 answers ENOSYS so that libc falls
    back to clone, and unshare(CLONE_FILES) is no namespace."""
    task = tmp_path / "task"
    task.mkdir()
    code = """
import ctypes, json, os, threading
libc = ctypes.CDLL(None, use_errno=True)
seen = []
t = threading.Thread(target=seen.append, args=("thread",))
t.start()
t.join()
pid = os.fork()
if pid == 0:
    os._exit(7)
print(json.dumps({"seen": seen, "child": os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]),
                  "unshare_files": libc.unshare(0x400), "setns": libc.setns(0, 0),
                  "setns_errno": ctypes.get_errno()}))
"""
    result = run(BubblewrapSandbox(), python_spec(code, task), tmp_path / "logs")
    assert result.status == 0, result.err
    assert json.loads(result.out) == {"seen": ["thread"], "child": 7, "unshare_files": 0,
                                      "setns": -1, "setns_errno": errno.EPERM}  # fmt: skip
