"""Choosing a backend, the interpreter's binds, and the cgroup limits derived from memory."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

import lamina.execution.sandbox as sandbox
from lamina.execution.sandbox import BubblewrapSandbox, ProcessSandbox, choose_backend
from lamina.execution.sandbox.bubblewrap import interpreter_binds, interpreter_path
from lamina.execution.sandbox.cgroup import limits_for
from lamina.execution.sandbox.limits import Confinement


def test_backend_named_by_env_var_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAMINA_SANDBOX", "process")
    assert isinstance(choose_backend("bubblewrap"), ProcessSandbox)
    monkeypatch.delenv("LAMINA_SANDBOX")
    assert isinstance(choose_backend("bubblewrap"), BubblewrapSandbox)
    with pytest.raises(ValueError, match="unknown sandbox backend"):
        choose_backend("docker")


def test_fallback_warns_once_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("LAMINA_SANDBOX", raising=False)
    monkeypatch.setattr(sandbox, "bubblewrap_problem", lambda: "bwrap is not installed")
    sandbox._warn_once.cache_clear()
    with caplog.at_level(logging.WARNING):
        backends = [choose_backend(), choose_backend()]
    assert all(isinstance(b, ProcessSandbox) for b in backends)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "isolation is reduced" in warnings[0] and "bwrap is not installed" in warnings[0]
    sandbox._warn_once.cache_clear()


def test_venv_interpreter_binds_only_its_base_prefix() -> None:
    binds = interpreter_binds(sys.executable)
    base = Path(sys.base_prefix).resolve()
    if base.is_relative_to("/usr"):
        assert binds == ()
    else:
        assert binds == ((base, base),)
    assert all(host != Path.home() for host, _ in binds)
    assert Path(interpreter_path(sys.executable)).is_relative_to(base)


def test_venv_with_copied_interpreter_binds_venv_and_base(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python3").write_text("")
    (venv / "pyvenv.cfg").write_text("home = /opt/python/3.12/bin\nversion = 3.12.1\n")
    binds = interpreter_binds(str(venv / "bin" / "python3"))
    assert [host for host, _ in binds] == [venv, Path("/opt/python/3.12")]


def test_system_interpreters_need_no_binds() -> None:
    assert interpreter_binds("/usr/bin/python3") == ()
    assert interpreter_binds("/usr/bin/node") == ()


def test_cgroup_limits_follow_lambda_cpu_share() -> None:
    one_vcpu = limits_for(1769)
    assert one_vcpu["cpu.weight"] == "100" and one_vcpu["cpu.max"] == "100000 100000"
    small = limits_for(128)
    assert small["memory.max"] == str(128 * 1024 * 1024)
    assert small["cpu.max"] == "7236 100000" and small["cpu.weight"] == "7"
    assert limits_for(10240)["cpu.max"] == "578858 100000"  # about 5.8 vCPUs


def test_rlimit_wrapper_sets_the_data_limit_in_kib() -> None:
    wrapped = Confinement(256, use_cgroup=False).wrap(["python3", "-c", "pass"])
    assert wrapped[:2] == ["/bin/sh", "-c"] and wrapped[-3:] == ["python3", "-c", "pass"]
    assert f"ulimit -d {256 * 1024}" in wrapped[2]
