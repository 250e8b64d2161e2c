"""Through boto3 Invoke, as on Lambda: a function runs as sbx_user1051 (993/990) without
ptrace, mount or namespaces, and a fork bomb ends in EAGAIN at 1,024 processes; in Python
(a zygote's fork), Node.js and a custom runtime (their own bwrap sandboxes)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lamina.execution.sandbox import bubblewrap_problem
from tests.conftest import create_function, make_zip
from tests.execution.test_identity import WHO_AND_WHAT, expect_sandbox_user
from tests.services.lambda_.test_invoke import call
from tests.services.lambda_.test_invoke_provided import provided_zip

pytestmark = pytest.mark.skipif(
    bubblewrap_problem() is not None, reason=f"bubblewrap cannot run: {bubblewrap_problem()}"
)

PYTHON = (
    WHO_AND_WHAT
    + """
def handler(event, context):
    if event.get("bomb"):
        return fork_bomb()
    return {**probe(), "init": open("/proc/1/cmdline").read().split("\\0")}
"""
)

NODE = """
const fs = require("fs"), os = require("os");
exports.handler = async () => {
  fs.writeFileSync("/tmp/written", "x");
  let task = "writable";
  try { fs.writeFileSync("/var/task/written", "x"); } catch (e) { task = e.code; }
  return { uid: process.getuid(), gid: process.getgid(), user: os.userInfo().username,
           tmp_owner: fs.statSync("/tmp/written").uid, task, home: process.env.HOME ?? null };
};
"""

BOOTSTRAP = r"""#!/bin/sh
set -eu
API="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"
while true; do
  HEADERS="$(mktemp)"
  curl -sS -D "$HEADERS" -o /dev/null "$API/invocation/next"
  ID="$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$HEADERS" | cut -d' ' -f2- | tr -d '\r')"
  WHO="\"$(id -u) $(id -g) $(id -un)\""
  curl -sS -o /dev/null -X POST "$API/invocation/$ID/response" -d "{\"who\": $WHO}"
  rm -f "$HEADERS"
done
"""


def test_a_python_function_is_sbx_user1051_in_its_zygotes_fork(lambda_client):
    create_function(lambda_client, "who-py", Handler="app.handler",
                    Code={"ZipFile": make_zip({"app.py": PYTHON})})  # fmt: skip
    answer, seen = call(lambda_client, "who-py", payload={})
    assert "FunctionError" not in answer, seen
    assert any(arg.endswith("zygote.py") for arg in seen["init"]), seen["init"]
    expect_sandbox_user(seen)


@pytest.mark.timeout(180)
def test_a_python_fork_bomb_ends_in_eagain_before_1024(lambda_client):
    create_function(lambda_client, "bomb-py", Handler="app.handler", Timeout=60, MemorySize=512,
                    Code={"ZipFile": make_zip({"app.py": PYTHON})})  # fmt: skip
    answer, seen = call(lambda_client, "bomb-py", payload={"bomb": True})
    assert "FunctionError" not in answer, seen
    assert seen["error"] == "EAGAIN" and 1000 <= seen["forked"] < 1024, seen
    # The environment lives on, and the next invoke may fork again: the children were reaped.
    answer, again = call(lambda_client, "bomb-py", payload={})
    assert "FunctionError" not in answer and again["uid"] == 993, again


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_a_nodejs_function_is_sbx_user1051(lambda_client):
    create_function(lambda_client, "who-node", Runtime="nodejs20.x", Handler="index.handler",
                    Code={"ZipFile": make_zip({"index.js": NODE})})  # fmt: skip
    answer, seen = call(lambda_client, "who-node", payload={})
    assert "FunctionError" not in answer, seen
    assert seen == {"uid": 993, "gid": 990, "user": "sbx_user1051", "tmp_owner": 993,
                    "task": "EROFS", "home": None}  # fmt: skip


@pytest.mark.skipif(not Path("/usr/bin/curl").exists(), reason="no /usr/bin/curl")
def test_a_custom_runtime_is_sbx_user1051(lambda_client):
    create_function(lambda_client, "who-provided", Runtime="provided.al2023", Handler="x",
                    Code={"ZipFile": provided_zip({"bootstrap": BOOTSTRAP})})  # fmt: skip
    answer, seen = call(lambda_client, "who-provided", payload={})
    assert "FunctionError" not in answer, seen
    assert json.dumps(seen) == json.dumps({"who": "993 990 sbx_user1051"})
