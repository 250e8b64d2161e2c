"""What an environment forked from a zygote (sandbox/zygote.py) could get wrong, checked from
inside functions: siblings of one zygote, even of one function, share nothing."""

from __future__ import annotations

import base64
import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from lamina.execution.sandbox import bubblewrap_problem, proctree
from tests.conftest import client, create_function, make_zip, own_server

pytestmark = pytest.mark.skipif(
    bubblewrap_problem() is not None, reason=f"bubblewrap cannot run: {bubblewrap_problem()}"
)

PROBE = """
import ctypes, errno, os, pty, time
STATE = []  # module state: each environment's own
def handler(event, context):
    STATE.append(event["mark"])
    open("/tmp/mark", "a").write(event["mark"])
    open("/dev/shm/mark", "a").write(event["mark"])
    pts_before = sorted(os.listdir("/dev/pts"))
    master, _ = pty.openpty()
    time.sleep(event.get("sleep", 0))
    libc = ctypes.CDLL(None, use_errno=True)
    mounted = libc.mount(b"none", b"/tmp", b"tmpfs", 0, None)
    caps = {l.split(":")[0]: l.split()[1] for l in open("/proc/self/status") if l.startswith("Cap")}
    cells = "/var/lamina/cells"
    return {
        "state": STATE, "tmp": open("/tmp/mark").read(), "shm": open("/dev/shm/mark").read(),
        "pts_before": pts_before, "pid": os.getpid(), "ppid": os.getppid(),
        "processes": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
        "mount": [mounted, errno.errorcode.get(ctypes.get_errno())], "caps": caps,
        "cells": os.listdir(cells) if os.path.isdir(cells) else None,
        "task": sorted(os.listdir("/var/task")), "env": sorted(os.environ),
    }
"""


def deploy(client, name: str) -> None:
    code = make_zip({"app.py": PROBE})
    create_function(client, name, Handler="app.handler", Code={"ZipFile": code})


def invoke(client, name: str, payload: dict) -> dict:
    answer = client.invoke(FunctionName=name, Payload=json.dumps(payload).encode())
    assert "FunctionError" not in answer, answer["Payload"].read()
    return json.loads(answer["Payload"].read())


def concurrently(client, name: str, marks: list[str]) -> list[dict]:
    """One invoke per mark at the same time: as many environments of the function."""
    answers: dict[str, dict] = {}

    def one(mark: str) -> None:
        answers[mark] = invoke(client, name, {"mark": mark, "sleep": 1.0})

    threads = [threading.Thread(target=one, args=(mark,)) for mark in marks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [answers[mark] for mark in marks]


def test_environments_of_one_function_share_no_tmp_shm_pty_or_module_state(lambda_client):
    deploy(lambda_client, "siblings")
    first, second = concurrently(lambda_client, "siblings", ["a", "b"])
    assert (first["state"], first["tmp"], first["shm"]) == (["a"], "a", "a")
    assert (second["state"], second["tmp"], second["shm"]) == (["b"], "b", "b")
    # Each has its own pseudo-terminals: none of the sibling's is listed.
    assert first["pts_before"] == second["pts_before"] == ["ptmx"]
    again = invoke(lambda_client, "siblings", {"mark": "c"})  # a warm one: its own state only
    assert again["state"] in (["a", "c"], ["b", "c"])


def test_a_forked_environment_has_a_pid_namespace_of_its_own(lambda_client):
    deploy(lambda_client, "pid-two")
    answer = invoke(lambda_client, "pid-two", {"mark": "x"})
    # Under its own init (the fork's, PID 1), as under bwrap's, and nothing else.
    assert (answer["pid"], answer["ppid"]) == (2, 1)
    assert answer["processes"] == [1, 2]


def test_a_forked_environment_has_no_capabilities_and_sees_no_other_code(lambda_client):
    deploy(lambda_client, "caps")
    deploy(lambda_client, "other-code")
    invoke(lambda_client, "other-code", {"mark": "o"})
    answer = invoke(lambda_client, "caps", {"mark": "x"})
    assert set(answer["caps"].values()) == {"0000000000000000"}
    assert answer["mount"] == [-1, "EPERM"]
    assert answer["cells"] in (None, [])  # the zygote's view of every cell is unmounted
    assert answer["task"] == ["app.py"]


def test_a_forked_environment_has_exactly_the_functions_variables(lambda_client):
    deploy(lambda_client, "env-vars")
    names = invoke(lambda_client, "env-vars", {"mark": "x"})["env"]
    assert not [name for name in names if name.startswith("_LAMINA")]
    assert {"AWS_LAMBDA_FUNCTION_NAME", "LAMBDA_TASK_ROOT", "PATH", "_HANDLER"} <= set(names)


def test_environments_start_again_after_the_zygote_dies(engine, tmp_path):
    with own_server(tmp_path / "data", engine, "lamina_zygote_dies") as lamina:
        lambda_client = client("lambda", lamina.url)
        deploy(lambda_client, "before")
        assert invoke(lambda_client, "before", {"mark": "a"})["state"] == ["a"]
        sandboxes = [
            pid
            for pid in proctree.children(lamina.process.pid)
            if b"zygote.py" in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]
        assert sandboxes  # the zygotes' bwrap, with all they forked
        doomed = {pid for sandbox in sandboxes for pid in [sandbox, *proctree.descendants(sandbox)]}
        for pid in sandboxes:
            os.kill(pid, signal.SIGKILL)
        # The kernel ends the zygote's namespaces, and the environments nested in them, a
        # moment after the kill: the case here is an invoke once they are gone, not one racing
        # the teardown (that one fails as Runtime.ExitError, as on a host that crashed).
        deadline = time.monotonic() + 30
        while any(_running(pid) for pid in doomed):
            assert time.monotonic() < deadline, "the zygote's processes outlived it"
            time.sleep(0.02)
        # The warm environment went with its zygote: a new one, forked by a new zygote.
        assert invoke(lambda_client, "before", {"mark": "b"})["state"] == ["b"]
        deploy(lambda_client, "after")
        assert invoke(lambda_client, "after", {"mark": "c"})["state"] == ["c"]


def _running(pid: int) -> bool:
    """Alive, not a zombie waiting for its parent to collect it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_max_memory_used_is_the_runtimes_not_its_init_too(lambda_client):
    code = make_zip({"app.py": "def handler(event, context):\n    return 'ok'\n"})
    create_function(lambda_client, "small", Handler="app.handler", Code={"ZipFile": code})
    answer = lambda_client.invoke(FunctionName="small", LogType="Tail")
    report = base64.b64decode(answer["LogResult"]).decode().splitlines()[-1]
    used = int(report.split("Max Memory Used: ")[1].split()[0])
    # A hello world's interpreter: about 10 MB; the init's copy of the zygote would double it.
    assert 5 <= used <= 18, report
