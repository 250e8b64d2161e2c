"""Where a zygote cannot start, environments are spawned as new bwrap sandboxes, and one
warning says so."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest

from lamina.execution.sandbox import BubblewrapSandbox, SandboxSpec, bubblewrap_problem
from lamina.execution.sandbox.zygote import ZygoteSpec

pytestmark = pytest.mark.skipif(
    bubblewrap_problem() is not None, reason=f"bubblewrap cannot run: {bubblewrap_problem()}"
)


def test_a_zygote_that_cannot_start_falls_back_to_bwrap_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cell = tmp_path / "cell"
    cell.mkdir()
    (tmp_path / "cell.opt").mkdir()
    spec = SandboxSpec(
        argv=["/bin/sh", "-c", "echo $$"],
        env={"PATH": "/usr/bin:/bin"},
        task_dir=cell,
        layers_dir=tmp_path / "cell.opt",
    )
    broken = ZygoteSpec("python:broken", replace(spec, argv=["/bin/false"]), tmp_path)
    spec = replace(spec, extra={"zygote": broken})
    backend = BubblewrapSandbox()
    with caplog.at_level(logging.WARNING, logger="lamina.execution"):
        statuses = [backend.spawn(spec).wait(10.0) for _ in range(2)]
    backend.close()
    assert statuses == [0, 0]  # both ran, as bwrap sandboxes
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "python:broken" in warnings[0], warnings
