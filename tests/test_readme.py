"""The README is a contract: its quick-start runs exactly as written.

A server is started the way `make run` starts it (`.venv/bin/lamina serve`: the default port
4566 and the default relative data directory) in a fresh folder laid out like a clone (its
`.venv` is this checkout's), and every ```python and ```sh block of the README runs there in
order, as a user would paste it. Set-up blocks are not run: those that call `make` (the server
start itself, the test suite) or `apt-get`. A long-running command (`--follow`) runs until the
lines it promises have appeared.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import wait_for
from tests.server import REPO, LaminaServer

README = REPO / "README.md"
PORT = 4566  # the README's, as written
BLOCK = re.compile(r"^```(python|sh)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
SET_UP = re.compile(r"(^|\s)(make|sudo|apt-get)\s")


def blocks() -> list[tuple[str, str]]:
    found = BLOCK.findall(README.read_text())
    return [(kind, text) for kind, text in found if not SET_UP.search(text)]


def commands(script: str) -> list[str]:
    """The shell commands of a block: continuation lines joined, comment lines dropped."""
    joined = script.replace("\\\n", " ")
    return [line for line in joined.splitlines() if line.strip() and not line.startswith("#")]


class MakeRunServer(LaminaServer):
    """`$(BIN)/lamina serve` with no flags, as the Makefile's `run` target says."""

    def command(self) -> list[str]:
        return [".venv/bin/lamina", "serve"]


def port_taken(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    folder = tmp_path / "lamina"
    folder.mkdir()
    (folder / ".venv").symlink_to(REPO / ".venv")
    return folder


def test_the_makefile_run_target_is_what_this_test_starts():
    assert "\t$(BIN)/lamina serve\n" in (REPO / "Makefile").read_text()


def test_the_readme_quick_start_runs_as_written(clone):
    if port_taken(PORT):
        message = f"port {PORT} is taken here (a Lamina of your own?); the README needs it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    lamina = MakeRunServer(clone / ".lamina", cwd=clone)
    lamina.port = PORT
    lamina.start()
    try:
        runs = blocks()
        assert [kind for kind, _ in runs] == ["python", "sh", "sh", "python", "python"], runs
        outputs = []
        for kind, text in runs:
            if kind == "python":
                outputs.append(run([".venv/bin/python", "-c", text], clone))
            else:
                outputs += [shell(command, clone) for command in commands(text)]
        arn, listing, caller, invoked, logs, queued, routed = outputs
        assert arn.strip() == "arn:aws:lambda:us-east-1:000000000000:function:hello"
        assert '"FunctionName": "hello"' in listing
        assert json.loads(caller)["Arn"] == "arn:aws:iam::000000000000:root"
        assert json.loads(invoked) == {"hello": {"name": "you"}}
        assert "START RequestId" in logs and "REPORT RequestId" in logs
        assert queued.split() == ["hello", "Creating"]
        assert routed.strip() == "{'proxy': 'items/42'}"  # through a REST API's stage
    finally:
        lamina.stop()
    # The default data directory, relative to where `make run` was started.
    assert (clone / ".lamina" / "lamina.db").is_file()


def run(argv: list[str], cwd: Path) -> str:
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, (argv, done.stdout, done.stderr)
    return done.stdout


def shell(command: str, cwd: Path) -> str:
    if "--follow" not in command:
        return run(["bash", "-c", command], cwd)
    # It follows until stopped: read until its promise (the invocation's REPORT) is kept.
    out = cwd / "follow.out"
    with open(out, "w") as sink:
        follower = subprocess.Popen(["bash", "-c", command], cwd=cwd, stdout=sink,
                                    stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    try:
        wait_for(lambda: "REPORT RequestId" in out.read_text(), timeout=60, interval=0.2)
        time.sleep(0.2)
        return out.read_text()
    finally:
        os.killpg(follower.pid, 2)
        follower.wait(15)
