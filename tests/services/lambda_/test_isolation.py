"""Each isolation property of an execution environment, proven from inside a function
(bubblewrap sandboxes; skipped where bubblewrap cannot run here, with the reason)."""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path

import pytest

from lamina.execution.sandbox import bubblewrap_problem
from tests.conftest import create_function, make_zip

pytestmark = pytest.mark.skipif(
    bubblewrap_problem() is not None, reason=f"bubblewrap cannot run: {bubblewrap_problem()}"
)


def deploy(client, name: str, source: str, **overrides) -> None:
    code = make_zip({"app.py": source})
    create_function(client, name, Handler="app.handler", Code={"ZipFile": code}, **overrides)


def run(client, name: str, payload: object = None) -> tuple[dict, object]:
    answer = client.invoke(FunctionName=name, Payload=json.dumps(payload or {}).encode())
    return answer, json.loads(answer["Payload"].read())


PROBE = """
import errno, os
def handler(event, context):
    if event.get("write_tmp"):
        open("/tmp/secret", "w").write("mine")
    try:
        open("/var/task/new.py", "w").write("x")
        task_writable = True
    except OSError as error:
        task_writable = errno.errorcode[error.errno]
    return {
        "tmp": sorted(os.listdir("/tmp")),
        "task_writable": task_writable,
        "exists": {path: os.path.exists(path) for path in event.get("paths", [])},
    }
"""


def test_another_functions_tmp_is_invisible(lambda_client):
    deploy(lambda_client, "writer", PROBE)
    deploy(lambda_client, "reader", PROBE)
    assert "secret" in run(lambda_client, "writer", {"write_tmp": True})[1]["tmp"]
    assert run(lambda_client, "reader")[1]["tmp"] == []


def test_var_task_is_read_only(lambda_client):
    deploy(lambda_client, "probe", PROBE)
    assert run(lambda_client, "probe")[1]["task_writable"] in ("EROFS", "EACCES")


def test_laminas_data_dir_and_the_home_directory_are_invisible(lambda_client, server):
    deploy(lambda_client, "probe", PROBE)
    data_dir = str(Path(server.data_dir).resolve())
    paths = [data_dir, f"{data_dir}/lamina.db", "/root/.bash_history", str(Path.cwd())]
    seen = run(lambda_client, "probe", {"paths": paths})[1]["exists"]
    assert seen == dict.fromkeys(paths, False)


def test_memory_past_the_cap_is_a_clear_error_and_the_server_lives_on(lambda_client):
    hog = "def handler(e, c):\n    block = bytearray(400 * 1024 * 1024)\n    return len(block)\n"
    deploy(lambda_client, "hog", hog, MemorySize=128, Timeout=30)
    answer, body = run(lambda_client, "hog")
    assert answer["FunctionError"] == "Unhandled"
    assert body["errorType"] in ("MemoryError", "Runtime.ExitError", "Runtime.OutOfMemory")
    assert lambda_client.get_function(FunctionName="hog")["Configuration"]["MemorySize"] == 128


def test_a_timeout_kills_the_functions_children(lambda_client):
    marker = f"{1000 + uuid.uuid4().int % 1000}.{os.getpid()}"  # a unique sleep argument
    source = (
        "import subprocess, time\n"
        "def handler(e, c):\n"
        f"    subprocess.Popen(['sleep', '{marker}'])\n"
        "    time.sleep(10)\n"
    )
    deploy(lambda_client, "spawner", source, Timeout=1)
    answer, body = run(lambda_client, "spawner")
    assert answer["FunctionError"] == "Unhandled"
    assert "Task timed out after 1.00 seconds" in body["errorMessage"]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _running_with(marker.encode()):
        time.sleep(0.05)
    assert not _running_with(marker.encode())


def _running_with(argument: bytes) -> bool:
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and argument in (proc / "cmdline").read_bytes().split(b"\0"):
                return True
        except OSError:
            continue
    return False
