"""The fallback backend: a plain process with the same environment handling and limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from lamina.execution.sandbox import ProcessSandbox
from tests.execution.sandboxing import (
    PATH,
    Started,
    environ_inside,
    kill_ends_grandchild,
    python_spec,
    run,
)

PROCESS = ProcessSandbox()


@pytest.fixture
def task_dir(tmp_path: Path) -> Path:
    task = tmp_path / "task"
    task.mkdir()
    return task


def test_paths_are_not_remapped_and_cwd_is_the_task_dir(task_dir: Path, tmp_path: Path) -> None:
    assert PROCESS.remaps_paths is False
    result = run(PROCESS, python_spec("import os; print(os.getcwd())", task_dir), tmp_path / "l")
    assert (result.status, result.out) == (0, f"{task_dir}\n"), result.err


def test_environment_is_exactly_spec_env(
    task_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAMINA_SECRET", "must not leak")
    env = {"PATH": PATH, "AWS_REGION": "us-east-1", "X": "a b=c"}
    assert environ_inside(PROCESS, env, task_dir, tmp_path / "logs") == env


def test_memory_cap_ends_in_memory_error(task_dir: Path, tmp_path: Path) -> None:
    code = """
small = bytearray(16 * 1024 * 1024)
try:
    big = bytearray(200 * 1024 * 1024)
    print("no limit")
except MemoryError:
    print("MemoryError")
"""
    result = run(PROCESS, python_spec(code, task_dir, memory_mb=64), tmp_path / "logs", 10)
    assert (result.status, result.out) == (0, "MemoryError\n"), result.err


def test_kill_ends_the_tree(task_dir: Path, tmp_path: Path) -> None:
    # Its own session, but still our descendant (a double-forked daemon escapes this backend).
    kill_ends_grandchild(PROCESS, task_dir, tmp_path / "logs", orphaned=False)


def test_wait_times_out_then_reports_the_status(task_dir: Path, tmp_path: Path) -> None:
    code = "import sys, time; time.sleep(0.3); sys.exit(7)"
    started = Started(PROCESS, python_spec(code, task_dir), tmp_path / "logs")
    assert started.process.wait(0.05) is None
    assert started.process.poll() is None
    assert started.process.wait(10) == 7
    assert started.process.poll() == 7
