"""Custom runtimes (provided.al2023, provided.al2) through boto3: the zip's `bootstrap` speaks
AWS's Runtime API to Lamina, whether it is a shell loop over curl, a few lines of stdlib Python,
or AWS's own runtime interface client (awslambdaric from PyPI), unchanged."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tests.conftest import create_function
from tests.services.lambda_.test_invoke import call

PYTHON = "/usr/bin/python3"  # the machine's python3: /usr is visible inside the sandbox
needs_curl = pytest.mark.skipif(not Path("/usr/bin/curl").exists(), reason="no /usr/bin/curl")
needs_python = pytest.mark.skipif(not Path(PYTHON).exists(), reason=f"no {PYTHON}")


def provided_zip(files: dict[str, str | bytes], tree: Path | None = None) -> bytes:
    """A zip as a build would make it: `bootstrap` executable (mode 755), the rest 644."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o755 if name == "bootstrap" else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
        for path in sorted(tree.rglob("*") if tree else []):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, str(path.relative_to(tree)))
    return buffer.getvalue()


def deploy(client, code: bytes, name: str = "fn", runtime: str = "provided.al2023", **overrides):
    create_function(
        client, name, Runtime=runtime, Handler="unused", Code={"ZipFile": code}, **overrides
    )


def log_tail(answer) -> str:
    return base64.b64decode(answer["LogResult"]).decode()


# -- a shell loop over curl, as AWS's custom runtime tutorial writes one -----------------------

CURL_BOOTSTRAP = r"""#!/bin/sh
set -eu
API="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"
post() { curl -sS -o /dev/null -w "posted %{http_code}\n" -X POST "$@"; }
if [ -n "${FAIL_INIT:-}" ]; then
  post "$API/init/error" -H "Lambda-Runtime-Function-Error-Type: Custom.InitFailed" \
    -d '{"errorMessage": "cannot start", "errorType": "Custom.InitFailed"}'
  exit 1
fi
[ -z "${EXIT_AT_INIT:-}" ] || exit "$EXIT_AT_INIT"
while true; do
  HEADERS="$(mktemp)"
  EVENT="$(curl -sS -D "$HEADERS" "$API/invocation/next")"
  header() { grep -i "^$1:" "$HEADERS" | cut -d' ' -f2- | tr -d '\r'; }
  ID="$(header Lambda-Runtime-Aws-Request-Id)"
  case "$EVENT" in
    *fail*)
      post "$API/invocation/$ID/error" -H "Lambda-Runtime-Function-Error-Type: Custom.Failed" \
        -d '{"errorMessage": "it failed", "errorType": "Custom.Failed", "stackTrace": ["l. 1"]}' ;;
    *untyped*)
      post "$API/invocation/$ID/error" -H "Lambda-Runtime-Function-Error-Type: Custom.Header" \
        -d '{"errorMessage": "no type in the body"}' ;;
    *sleep*) sleep 5 ;;
    *exit*) exit 3 ;;
    *headers*)
      post "$API/invocation/$ID/response" -d "{\"request_id\": \"$ID\",
        \"deadline_ms\": $(header Lambda-Runtime-Deadline-Ms),
        \"arn\": \"$(header Lambda-Runtime-Invoked-Function-Arn)\",
        \"trace\": \"$(header Lambda-Runtime-Trace-Id)\",
        \"content_type\": \"$(header Content-Type)\",
        \"greeting\": \"${GREETING:-}\"}" ;;
    *) post "$API/invocation/$ID/response" -d "$EVENT" ;;
  esac
  rm -f "$HEADERS"
done
"""


@needs_curl
@pytest.mark.parametrize("runtime", ["provided.al2023", "provided.al2"])
def test_a_curl_bootstrap_echoes_the_event(lambda_client, runtime):
    deploy(lambda_client, provided_zip({"bootstrap": CURL_BOOTSTRAP}), runtime=runtime,
           Environment={"Variables": {"GREETING": "hi"}})  # fmt: skip
    answer, body = call(lambda_client, payload={"hello": "world"}, LogType="Tail")
    assert answer["StatusCode"] == 200
    assert "FunctionError" not in answer, body
    assert body == {"hello": "world"}
    assert "Init Duration:" in log_tail(answer)
    second, body = call(lambda_client, payload={"n": 2}, LogType="Tail")
    assert body == {"n": 2}
    assert "Init Duration:" not in log_tail(second)  # the same environment, warm


@needs_curl
def test_the_next_event_carries_lambdas_headers(lambda_client):
    deploy(lambda_client, provided_zip({"bootstrap": CURL_BOOTSTRAP}), Timeout=7,
           Environment={"Variables": {"GREETING": "hi"}})  # fmt: skip
    before = time.time() * 1000
    answer, body = call(lambda_client, payload={"headers": True})
    after = time.time() * 1000
    assert "FunctionError" not in answer, body
    assert body["request_id"] == answer["ResponseMetadata"]["RequestId"]
    assert before + 7000 - 1000 <= body["deadline_ms"] <= after + 7000
    assert body["arn"].startswith("arn:aws:lambda:us-east-1:")
    assert body["arn"].endswith(":function:fn")
    assert body["trace"].startswith("Root=1-")
    assert body["content_type"] == "application/json"
    assert body["greeting"] == "hi"  # the function's variables, there at process start


@needs_curl
def test_an_error_posted_by_the_runtime_is_an_unhandled_function_error(lambda_client):
    deploy(lambda_client, provided_zip({"bootstrap": CURL_BOOTSTRAP}))
    answer, body = call(lambda_client, payload={"action": "fail"})
    assert answer["StatusCode"] == 200
    assert answer["FunctionError"] == "Unhandled"
    assert body == {
        "errorMessage": "it failed",
        "errorType": "Custom.Failed",
        "stackTrace": ["l. 1"],
    }
    answer, body = call(lambda_client, payload={"action": "untyped"})
    assert body == {"errorMessage": "no type in the body", "errorType": "Custom.Header"}
    # A posted error leaves the runtime serving.
    assert call(lambda_client, payload={"ok": 1})[1] == {"ok": 1}


@needs_curl
def test_an_init_error_posted_by_the_runtime_fails_the_invoke(lambda_client):
    deploy(lambda_client, provided_zip({"bootstrap": CURL_BOOTSTRAP}),
           Environment={"Variables": {"FAIL_INIT": "1"}})  # fmt: skip
    answer, body = call(lambda_client, payload={}, LogType="Tail")
    assert answer["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Custom.InitFailed"
    assert body["errorMessage"] == "cannot start"
    assert body["requestId"] == answer["ResponseMetadata"]["RequestId"]


@needs_curl
def test_a_timeout_ends_the_environment_and_the_next_invoke_works(lambda_client):
    deploy(lambda_client, provided_zip({"bootstrap": CURL_BOOTSTRAP}), Timeout=1)
    answer, body = call(lambda_client, payload={"action": "sleep"})
    assert answer["FunctionError"] == "Unhandled"
    assert "Task timed out after 1.00 seconds" in body["errorMessage"]
    assert call(lambda_client, payload={"after": "timeout"})[1] == {"after": "timeout"}


@needs_curl
def test_a_runtime_that_exits_is_an_exit_error_at_invoke_and_at_init(lambda_client):
    deploy(lambda_client, provided_zip({"bootstrap": CURL_BOOTSTRAP}))
    answer, body = call(lambda_client, payload={"action": "exit"})
    assert answer["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.ExitError"
    assert "exit status 3" in body["errorMessage"]
    assert call(lambda_client, payload={"back": True})[1] == {"back": True}
    deploy(lambda_client, provided_zip({"bootstrap": CURL_BOOTSTRAP}), name="quitter",
           Environment={"Variables": {"EXIT_AT_INIT": "2"}})  # fmt: skip
    answer, body = call(lambda_client, "quitter", payload={})
    assert body["errorType"] == "Runtime.ExitError"
    # (The status itself is not asserted: a failed init ends the sandbox before reading it.)
    assert "Runtime exited with error" in body["errorMessage"]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"other": "x"}, "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]"),
        ({"bootstrap/x": "a directory"}, "fork/exec /var/task/bootstrap: permission denied"),
    ],
)
def test_a_missing_bootstrap_is_an_invalid_entrypoint(lambda_client, files, message):
    deploy(lambda_client, provided_zip(files))
    answer, body = call(lambda_client, payload={})
    assert answer["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.InvalidEntrypoint"
    assert body["errorMessage"].endswith(message)


def test_a_bootstrap_that_is_not_executable_is_an_invalid_entrypoint(lambda_client):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:  # mode 600: no execute bit
        archive.writestr("bootstrap", CURL_BOOTSTRAP)
    deploy(lambda_client, buffer.getvalue())
    _, body = call(lambda_client, payload={})
    assert body["errorType"] == "Runtime.InvalidEntrypoint"
    assert body["errorMessage"].endswith("fork/exec /var/task/bootstrap: permission denied")


# -- a few lines of stdlib Python over one kept-alive connection: AWS's error answers ----------

PROBE_RUNTIME = """
import http.client, json, os

api = http.client.HTTPConnection(os.environ["AWS_LAMBDA_RUNTIME_API"])
answers, ports = [], set()


def call(method, path, body=None, headers=None):
    api.request(method, "/2018-06-01/runtime" + path, body=body, headers=headers or {})
    answer = api.getresponse()
    text = answer.read().decode()
    try:
        text = json.loads(text)
    except ValueError:
        pass
    return [answer.status, text]


while True:
    api.request("GET", "/2018-06-01/runtime/invocation/next")
    ports.add(api.sock.getsockname()[1])
    answer = api.getresponse()
    event, request_id = json.loads(answer.read()), answer.getheader("Lambda-Runtime-Aws-Request-Id")
    respond = "/invocation/" + request_id + "/response"
    if event.get("big"):
        answers.append(call("POST", respond, b'"' + b"x" * (6 * 1024 * 1024 + 100) + b'"'))
        continue
    probes = {
        "wrong_id": call("POST", "/invocation/not-the-id/response", b"{}"),
        "unknown_path": call("GET", "/nowhere"),
        "wrong_method": call("GET", respond),
        "late_init_error": call("POST", "/init/error", b"{}"),
    }
    result = {"probes": probes, "answers": answers, "connections": len(ports)}
    answers.append(call("POST", respond, json.dumps(result)))
    answers.append(call("POST", respond, b"{}"))  # a second answer to the same invocation
"""


@needs_python
def test_the_runtime_api_answers_mistakes_as_aws_does(lambda_client):
    bootstrap = f'#!/bin/sh\nexec {PYTHON} "$LAMBDA_TASK_ROOT/runtime.py"\n'
    deploy(lambda_client, provided_zip({"bootstrap": bootstrap, "runtime.py": PROBE_RUNTIME}))
    answer, body = call(lambda_client, payload={})
    assert "FunctionError" not in answer, body
    probes = body["probes"]
    assert probes["wrong_id"] == [
        400, {"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"}
    ]  # fmt: skip
    assert probes["unknown_path"] == [404, "404 page not found\n"]
    assert probes["wrong_method"] == [405, ""]
    assert probes["late_init_error"] == [403, {
        "errorMessage": "State transition from Ready to InitError failed for runtime. "
                        "Error: State transition is not allowed",
        "errorType": "InvalidStateTransition",
    }]  # fmt: skip

    answer, body = call(lambda_client, payload={"big": True})
    assert answer["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Function.ResponseSizeTooLarge"
    assert "exceeded maximum allowed payload size (6291556 bytes)" in body["errorMessage"]

    _, body = call(lambda_client, payload={})
    accepted, second_answer, too_large = body["answers"]
    assert accepted == [202, {"status": "OK"}]
    assert second_answer[0] == 403
    assert second_answer[1]["errorType"] == "InvalidStateTransition"
    assert too_large == [413, {
        "errorMessage": "Exceeded maximum allowed payload size (6291556 bytes).",
        "errorType": "RequestEntityTooLarge",
    }]  # fmt: skip
    assert body["connections"] == 1  # every request rode the same kept-alive connection


# -- THE PROOF: AWS's own runtime interface client, unchanged ----------------------------------

RIC_HANDLER = """
import os

def handler(event, context):
    if event.get("fail"):
        raise ValueError("bad input")
    return {
        "event": event,
        "request_id": context.aws_request_id,
        "arn": context.invoked_function_arn,
        "function_name": context.function_name,
        "memory": context.memory_limit_in_mb,
        "log_group": context.log_group_name,
        "remaining": context.get_remaining_time_in_millis(),
        "custom": context.client_context.custom if context.client_context else None,
        "trace": os.environ.get("_X_AMZN_TRACE_ID"),
    }
"""


@pytest.fixture(scope="session")
def awslambdaric(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """awslambdaric from PyPI, installed for the sandbox's python3 into a directory that is
    zipped with the function; built once and kept in the pytest cache."""
    if not Path(PYTHON).exists():
        pytest.skip(f"no {PYTHON} to run awslambdaric with")
    version = subprocess.run(
        [PYTHON, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    cache = getattr(request.config, "cache", None)  # None under -p no:cacheprovider
    name = f"awslambdaric-py{version}"
    target = cache.mkdir(name) if cache else tmp_path_factory.mktemp(name)
    if (target / ".complete").exists():
        return target
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    pip += ["--target", str(target), "--upgrade", "--only-binary=:all:"]
    pip += ["--python-version", version, "--implementation", "cp", "awslambdaric"]
    done = subprocess.run(pip, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        pytest.skip(f"awslambdaric could not be installed here: {done.stderr.strip()[-500:]}")
    (target / ".complete").touch()
    return target


def test_awslambdaric_runs_unchanged(lambda_client, awslambdaric):
    bootstrap = f"#!/bin/sh\nexec {PYTHON} -m awslambdaric app.handler\n"
    code = provided_zip({"bootstrap": bootstrap, "app.py": RIC_HANDLER}, tree=awslambdaric)
    deploy(lambda_client, code, Timeout=30, MemorySize=256)
    context = base64.b64encode(json.dumps({"custom": {"tenant": "t1"}}).encode()).decode()
    answer, body = call(lambda_client, payload={"hello": "ric"}, ClientContext=context)
    assert answer["StatusCode"] == 200
    assert "FunctionError" not in answer, body
    assert body["event"] == {"hello": "ric"}
    assert body["request_id"] == answer["ResponseMetadata"]["RequestId"]
    assert body["arn"].endswith(":function:fn")
    assert body["function_name"] == "fn"
    assert body["memory"] == "256"
    assert body["log_group"] == "/aws/lambda/fn"
    assert 0 < body["remaining"] <= 30_000
    assert body["custom"] == {"tenant": "t1"}
    assert body["trace"].startswith("Root=1-")

    answer, body = call(lambda_client, payload={"fail": True})
    assert answer["FunctionError"] == "Unhandled"
    assert body["errorType"] == "ValueError"
    assert body["errorMessage"] == "bad input"
    assert any("raise ValueError" in line for line in body["stackTrace"])

    answer, body = call(lambda_client)  # warm, after an error; no payload is the event {}
    assert "FunctionError" not in answer, body
    assert body["event"] == {}


@needs_curl
def test_the_plain_process_backend_runs_custom_runtimes_too(tmp_path):
    """Without bubblewrap the bootstrap runs from the host's code directory; same answers."""
    from tests.conftest import client
    from tests.server import LaminaServer

    lamina = LaminaServer(tmp_path / "data", {"LAMINA_SANDBOX": "process"})
    lamina.start()
    try:
        lam = client("lambda", lamina.url)
        deploy(lam, provided_zip({"bootstrap": CURL_BOOTSTRAP}), Timeout=1)
        assert call(lam, payload={"plain": True})[1] == {"plain": True}
        _, body = call(lam, payload={"action": "exit"})
        assert "exit status 3" in body["errorMessage"]
        _, body = call(lam, payload={"action": "sleep"})
        assert "Task timed out after 1.00 seconds" in body["errorMessage"]
        assert call(lam, payload={"after": 1})[1] == {"after": 1}
    finally:
        lamina.stop()


# -- the link itself, in-process: what the runtimes above happen not to send --------------------


def test_the_link_reads_chunked_bodies_answers_expect_continue_and_sees_the_exit(tmp_path):
    import asyncio
    import os

    from lamina.execution import channel
    from lamina.execution.channel import ChannelClosed
    from lamina.execution.runtime_api import RuntimeApiLink
    from lamina.execution.sandbox.base import SandboxSpec
    from lamina.execution.streaming import Collector

    header = {
        "request_id": "r-1", "deadline_ms": 1234.5, "invoked_function_arn": "arn:fn",
        "trace_id": "Root=1-a", "client_context": {"custom": {"k": "v"}},
        "identity": {"cognitoIdentityId": "id", "cognitoIdentityPoolId": "pool"},
    }  # fmt: skip

    async def scenario() -> None:
        link = RuntimeApiLink({"GREETING": "hi"})
        spec = link.prepare(
            SandboxSpec(argv=["bootstrap"], env={"PATH": "/bin"}, task_dir=tmp_path)
        )
        assert spec.env["GREETING"] == "hi" and spec.env["PATH"] == "/bin"
        runtime_end = os.dup(spec.pass_fds[-1])  # stands for the runtime process
        link.spawned()
        host, port = spec.env["AWS_LAMBDA_RUNTIME_API"].split(":")
        ready = asyncio.ensure_future(link.ready({}))
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (await ready).kind == channel.READY
        invoked = asyncio.ensure_future(link.invoke(header, b'{"a":1}', Collector(1024)))
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        assert head.startswith("HTTP/1.1 200 OK\r\n")
        assert "Lambda-Runtime-Aws-Request-Id: r-1\r\n" in head
        assert "Lambda-Runtime-Deadline-Ms: 1234\r\n" in head
        assert 'Lambda-Runtime-Client-Context: {"custom": {"k": "v"}}\r\n' in head
        assert '"cognitoIdentityPoolId": "pool"' in head
        assert await reader.readexactly(7) == b'{"a":1}'
        writer.write(
            b"POST /2018-06-01/runtime/invocation/r-1/response HTTP/1.1\r\nHost: x\r\n"
            b"Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n"
        )
        assert await reader.readuntil(b"\r\n\r\n") == b"HTTP/1.1 100 Continue\r\n\r\n"
        writer.write(b'3\r\n{"b\r\n4\r\n":2}\r\n0\r\n\r\n')
        frame = await invoked
        assert (frame.kind, frame.body) == (channel.RESULT, b'{"b":2}')
        assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 202 Accepted\r\n")
        assert await reader.readexactly(16) == b'{"status":"OK"}\n'
        os.close(runtime_end)  # the runtime exits: the next invoke cannot wait for it
        with pytest.raises(ChannelClosed):
            again = link.invoke(dict(header, request_id="r-2"), b"{}", Collector(1024))
            await asyncio.wait_for(again, 5)
        link.close()
        writer.close()

    asyncio.run(scenario())
