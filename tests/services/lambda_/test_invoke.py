"""Invoke, synchronously, through boto3: answers, errors, warm reuse, logs, environment."""

from __future__ import annotations

import base64
import json
import math
import os
import time

import pytest
from botocore.exceptions import ClientError

from tests.conftest import create_function, error_of, make_zip
from tests.execution.sandboxing import BWRAP_PROBLEM


def deploy(client, source: str, name: str = "fn", handler: str = "app.handler", **overrides):
    create_function(
        client, name, Handler=handler, Code={"ZipFile": make_zip({"app.py": source})}, **overrides
    )


def call(client, name: str = "fn", payload: object = None, **params):
    if payload is not None:
        params["Payload"] = json.dumps(payload).encode()
    answer = client.invoke(FunctionName=name, **params)
    body = answer["Payload"].read()
    return answer, json.loads(body) if body else None


ECHO = """
import os
calls = 0

def handler(event, context):
    global calls
    calls += 1
    return {"event": event, "calls": calls, "request_id": context.aws_request_id}
"""


def test_a_function_answers_with_its_result_and_lambdas_headers(lambda_client):
    deploy(lambda_client, ECHO)
    answer, body = call(lambda_client, payload={"hello": "world"})
    assert answer["StatusCode"] == 200
    assert answer["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in answer
    assert body["event"] == {"hello": "world"}
    # The request id the caller sees is the one the function sees.
    assert body["request_id"] == answer["ResponseMetadata"]["RequestId"]


def test_the_environment_stays_warm_and_init_runs_once(lambda_client):
    deploy(lambda_client, ECHO)
    first, body1 = call(lambda_client, payload={}, LogType="Tail")
    second, body2 = call(lambda_client, payload={}, LogType="Tail")
    assert (body1["calls"], body2["calls"]) == (1, 2)
    assert "Init Duration:" in base64.b64decode(first["LogResult"]).decode()
    assert "Init Duration:" not in base64.b64decode(second["LogResult"]).decode()


def test_an_empty_payload_is_an_empty_event(lambda_client):
    deploy(lambda_client, ECHO)
    _, body = call(lambda_client)
    assert body["event"] == {}


def test_a_raised_exception_is_an_unhandled_function_error(lambda_client):
    deploy(lambda_client, "def handler(event, context):\n    raise ValueError('bad input')\n")
    answer, body = call(lambda_client, payload={})
    assert answer["StatusCode"] == 200
    assert answer["FunctionError"] == "Unhandled"
    assert body["errorType"] == "ValueError"
    assert body["errorMessage"] == "bad input"
    assert any("raise ValueError" in line for line in body["stackTrace"])


def test_log_tail_has_start_output_end_and_report(lambda_client):
    deploy(lambda_client, "def handler(event, context):\n    print('from the function')\n")
    answer, _ = call(lambda_client, payload={}, LogType="Tail")
    tail = base64.b64decode(answer["LogResult"]).decode()
    request_id = answer["ResponseMetadata"]["RequestId"]
    lines = tail.splitlines()
    assert lines[0] == f"START RequestId: {request_id} Version: $LATEST"
    assert "from the function" in lines
    assert f"END RequestId: {request_id}" in lines
    report = lines[-1]
    assert report.startswith(f"REPORT RequestId: {request_id}\tDuration: ")
    assert "\tMemory Size: 128 MB\tMax Memory Used: " in report


def test_a_timeout_ends_the_environment_and_the_next_invoke_starts_fresh(lambda_client):
    source = "import time\ncalls = 0\ndef handler(event, context):\n" \
             "    global calls\n    calls += 1\n    if event.get('sleep'):\n" \
             "        time.sleep(5)\n    return calls\n"  # fmt: skip
    deploy(lambda_client, source, Timeout=1)
    assert call(lambda_client, payload={})[1] == 1
    answer, body = call(lambda_client, payload={"sleep": True})
    assert answer["FunctionError"] == "Unhandled"
    assert "Task timed out after 1.00 seconds" in body["errorMessage"]
    # The timed-out environment is gone: a new one has fresh module state.
    assert call(lambda_client, payload={})[1] == 1


def test_a_runtime_that_exits_is_an_exit_error_and_is_replaced(lambda_client):
    source = "import os\ndef handler(event, context):\n    if event.get('die'):\n" \
             "        os._exit(3)\n    return 'alive'\n"  # fmt: skip
    deploy(lambda_client, source)
    answer, body = call(lambda_client, payload={"die": True})
    assert answer["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.ExitError"
    assert "exit status 3" in body["errorMessage"]
    assert call(lambda_client, payload={})[1] == "alive"


CRASHING = """
import os, signal, time
kept = []

def handler(event, context):
    if event.get("grow"):
        kept.append(b"x" * (64 * 1024 * 1024))  # touched, so resident
    time.sleep(event.get("sleep", 0))
    if event.get("crash") == "exit":
        os._exit(1)
    if event.get("crash") == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    return "alive"
"""


def report_of(answer) -> dict[str, float]:
    """The REPORT line's numbers, by field name ('Duration', 'Max Memory Used', ...)."""
    report = base64.b64decode(answer["LogResult"]).decode().splitlines()[-1]
    assert report.startswith("REPORT RequestId: "), report
    fields = (field.split(": ", 1) for field in report.strip("\t").split("\t")[1:])
    return {name: float(value.split()[0]) for name, value in fields}


@pytest.mark.parametrize("crash", ["exit", "kill"])
def test_a_crashed_invocation_reports_its_duration_and_the_memory_last_measured(
    lambda_client, crash
):
    deploy(lambda_client, CRASHING, MemorySize=512)
    grown, _ = call(lambda_client, payload={"grow": True}, LogType="Tail")
    answer, body = call(lambda_client, payload={"sleep": 0.3, "crash": crash}, LogType="Tail")
    assert body["errorType"] == "Runtime.ExitError"
    report = report_of(answer)
    assert 300 <= report["Duration"] < 3000
    assert report["Billed Duration"] == math.ceil(report["Duration"])
    # The crash took the process and its counters with it: the last measurement stands, here
    # the runtime's own after the invocation that grew it (an exact cgroup peak can be more).
    assert report["Max Memory Used"] >= report_of(grown)["Max Memory Used"] >= 64


def test_a_crash_in_the_first_invocation_reports_what_init_measured(lambda_client):
    deploy(lambda_client, CRASHING)
    answer, _ = call(lambda_client, payload={"sleep": 0.3, "crash": "exit"}, LogType="Tail")
    report = report_of(answer)
    assert report["Duration"] >= 300
    assert report["Max Memory Used"] > 1  # at least the runtime as its init left it


def test_a_runtime_that_exits_during_init_reports_the_time_it_took(lambda_client):
    deploy(lambda_client, "import os, time\ntime.sleep(0.3)\nos._exit(1)\n")
    answer, body = call(lambda_client, payload={}, LogType="Tail")
    assert body["errorType"] == "Runtime.ExitError"
    report = report_of(answer)
    assert report["Duration"] >= 300
    assert report["Billed Duration"] == math.ceil(report["Duration"])
    assert report["Init Duration"] >= 300
    assert report["Max Memory Used"] >= 1


@pytest.mark.parametrize(
    ("files", "handler", "error_type", "words"),
    [
        ({"app.py": "x = 1\n"}, "nope.handler", "Runtime.ImportModuleError", "Unable to import"),
        ({"app.py": "x = 1\n"}, "app.handler", "Runtime.HandlerNotFound", "missing on module"),
        ({"app.py": "def handler(e, c):\n    return {1, 2}\n"}, "app.handler",
         "Runtime.MarshalError", "Unable to marshal response"),
    ],
)  # fmt: skip
def test_init_and_marshal_failures_name_lambdas_error_types(
    lambda_client, files, handler, error_type, words
):
    create_function(lambda_client, "fn", Handler=handler, Code={"ZipFile": make_zip(files)})
    answer, body = call(lambda_client, payload={}, LogType="Tail")
    assert answer["FunctionError"] == "Unhandled"
    assert body["errorType"] == error_type
    assert words in body["errorMessage"]
    assert f"[ERROR] {error_type}: " in base64.b64decode(answer["LogResult"]).decode()


def test_a_handler_in_a_nested_module(lambda_client):
    code = make_zip({"pkg/__init__.py": "", "pkg/mod.py": "def go(e, c):\n    return 'nested'\n"})
    create_function(lambda_client, "fn", Handler="pkg/mod.go", Code={"ZipFile": code})
    assert call(lambda_client, payload={})[1] == "nested"


ENVIRONMENT = """
import os
def handler(event, context):
    return {
        "env": dict(os.environ),
        "context": {
            "function_name": context.function_name,
            "function_version": context.function_version,
            "invoked_function_arn": context.invoked_function_arn,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "log_group_name": context.log_group_name,
            "log_stream_name": context.log_stream_name,
            "remaining": context.get_remaining_time_in_millis(),
        },
    }
"""


def test_the_function_sees_lambdas_environment_and_context(lambda_client, endpoint):
    deploy(lambda_client, ENVIRONMENT, MemorySize=256, Timeout=30,
           Environment={"Variables": {"GREETING": "hi"}})  # fmt: skip
    answer, body = call(lambda_client, payload={})
    assert "FunctionError" not in answer, body
    env, context = body["env"], body["context"]
    assert env["GREETING"] == "hi"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "fn"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["_HANDLER"] == "app.handler"
    assert env["TZ"] == ":UTC"
    assert env["AWS_ENDPOINT_URL"] == endpoint
    assert env["_X_AMZN_TRACE_ID"].startswith("Root=1-")
    assert not [key for key in env if key.startswith("LAMINA") or key == "VIRTUAL_ENV"]
    assert context["function_name"] == "fn"
    assert context["function_version"] == "$LATEST"
    assert context["invoked_function_arn"].endswith(":function:fn")
    assert context["memory_limit_in_mb"] == "256"
    assert context["log_group_name"] == "/aws/lambda/fn"
    assert context["log_stream_name"] == env["AWS_LAMBDA_LOG_STREAM_NAME"]
    assert "/[$LATEST]" in context["log_stream_name"]
    assert 0 < context["remaining"] <= 30_000


def test_boto3_inside_a_function_reaches_this_lamina(lambda_client):
    source = "import boto3\ndef handler(event, context):\n" \
             "    names = [f['FunctionName'] for f in boto3.client('lambda').list_functions()" \
             "['Functions']]\n    return names\n"  # fmt: skip
    deploy(lambda_client, source, Timeout=30)
    answer, body = call(lambda_client, payload={})
    assert "FunctionError" not in answer, body
    assert body == ["fn"]


def test_a_configuration_change_retires_warm_environments(lambda_client):
    source = "import os\ndef handler(e, c):\n    return os.environ.get('COLOUR')\n"
    deploy(lambda_client, source, Environment={"Variables": {"COLOUR": "red"}})
    assert call(lambda_client, payload={})[1] == "red"
    lambda_client.update_function_configuration(
        FunctionName="fn", Environment={"Variables": {"COLOUR": "blue"}}
    )
    assert call(lambda_client, payload={})[1] == "blue"


def test_dry_run_checks_the_function_and_answers_204(lambda_client):
    deploy(lambda_client, ECHO)
    answer = lambda_client.invoke(FunctionName="fn", InvocationType="DryRun")
    assert answer["StatusCode"] == 204
    with pytest.raises(ClientError) as excinfo:
        lambda_client.invoke(FunctionName="missing", InvocationType="DryRun")
    assert error_of(excinfo)[:2] == ("ResourceNotFoundException", 404)


def test_a_payload_over_6_mb_is_413(lambda_client):
    deploy(lambda_client, ECHO)
    with pytest.raises(ClientError) as excinfo:
        lambda_client.invoke(FunctionName="fn", Payload=b'"' + b"x" * (6 * 1024 * 1024) + b'"')
    assert error_of(excinfo)[:2] == ("RequestEntityTooLargeException", 413)


def test_a_payload_that_is_not_json_is_refused_before_the_function_runs(lambda_client):
    deploy(lambda_client, ECHO)
    with pytest.raises(ClientError) as excinfo:
        lambda_client.invoke(FunctionName="fn", Payload=b"{not json")
    assert error_of(excinfo)[:2] == ("InvalidRequestContentException", 400)


def test_invoking_a_missing_function_is_not_found(lambda_client):
    with pytest.raises(ClientError) as excinfo:
        lambda_client.invoke(FunctionName="ghost")
    code, status, message = error_of(excinfo)
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert message.endswith(":function:ghost")


def test_function_output_lands_in_cloudwatch_logs(lambda_client, endpoint):
    from tests.conftest import client

    deploy(lambda_client, "def handler(event, context):\n    print('hello logs')\n")
    answer, _ = call(lambda_client, payload={})
    request_id = answer["ResponseMetadata"]["RequestId"]
    logs = client("logs", endpoint)
    messages: list[str] = []
    streams: list[dict] = []
    for _ in range(100):  # written just after the answer, in one batch
        try:
            streams = logs.describe_log_streams(logGroupName="/aws/lambda/fn")["logStreams"]
        except ClientError:  # the group is created by that first batch
            streams = []
        if streams:
            events = logs.get_log_events(
                logGroupName="/aws/lambda/fn", logStreamName=streams[0]["logStreamName"]
            )["events"]
            messages = [event["message"] for event in events]
            if any(m.startswith("REPORT") for m in messages):
                break
        time.sleep(0.05)
    assert messages[0] == f"START RequestId: {request_id} Version: $LATEST"
    assert "hello logs" in messages
    assert messages[-1].startswith(f"REPORT RequestId: {request_id}")
    assert "/[$LATEST]" in streams[0]["logStreamName"]


def test_the_plain_process_backend_runs_functions_too(tmp_path):
    """Where bubblewrap cannot run: a plain process, same answers (paths are the host's)."""
    from tests.conftest import client
    from tests.server import LaminaServer

    lamina = LaminaServer(tmp_path / "data", {"LAMINA_SANDBOX": "process"})
    lamina.start()
    try:
        lam = client("lambda", lamina.url)
        deploy(lam, ENVIRONMENT, Timeout=1, Environment={"Variables": {"GREETING": "hi"}})
        answer, body = call(lam, payload={})
        assert "FunctionError" not in answer, body
        assert body["env"]["GREETING"] == "hi"
        assert body["env"]["LAMBDA_TASK_ROOT"] != "/var/task"  # not remapped without bwrap
        deploy(lam, "import time\ndef handler(e, c):\n    time.sleep(5)\n", name="slow", Timeout=1)
        answer, body = call(lam, "slow", payload={})
        assert "Task timed out after 1.00 seconds" in body["errorMessage"]
        assert "isolation is reduced" not in lamina.output()  # chosen, not fallen back to
    finally:
        lamina.stop()


def test_lamina_invoke_prints_the_answer_then_the_log_tail(lambda_client, endpoint, tmp_path):
    import subprocess
    import sys

    from tests.server import REPO

    deploy(lambda_client, "def handler(event, context):\n    print('ran')\n    return event\n")
    event = tmp_path / "event.json"
    event.write_text('{"n": 7}')
    command = [sys.executable, "-m", "lamina", "invoke", "fn", "--endpoint-url", endpoint]
    done = subprocess.run(
        [*command, "--payload", f"@{event}"], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"n": 7}
    assert done.stderr.startswith("START RequestId: ")
    assert "\nran\n" in done.stderr
    deploy(lambda_client, "def handler(e, c):\n    raise KeyError('k')\n", name="bad")
    failed = subprocess.run(
        [sys.executable, "-m", "lamina", "invoke", "bad", "--endpoint-url", endpoint],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert failed.returncode == 1
    assert json.loads(failed.stdout)["errorType"] == "KeyError"


@pytest.mark.skipif(
    BWRAP_PROBLEM is not None,
    reason="the code is at /var/task only in a bubblewrap sandbox (the server falls back to "
    f"plain processes), and bubblewrap cannot run here: {BWRAP_PROBLEM}",
)
def test_prewarmed_environments_see_only_their_own_functions_code(lambda_client):
    """Environments started ahead of need (same runtime and limits) get their code only when
    specialized; each sees its own function's files at /var/task and nothing else."""
    source = "import os\ndef handler(e, c):\n    return sorted(os.listdir('/var/task'))\n"
    for name, extra in (("one", "one.txt"), ("two", "two.txt")):
        code = make_zip({"app.py": source, extra: name})
        create_function(lambda_client, name, Handler="app.handler", Code={"ZipFile": code})
        time.sleep(0.3)  # let the prewarmed environments finish starting
    for name, extra in (("one", "one.txt"), ("two", "two.txt")):
        answer, listing = call(lambda_client, name, payload={})
        assert "FunctionError" not in answer, listing
        assert listing == ["app.py", extra]


def test_lamina_logs_prints_the_functions_lines(lambda_client, endpoint):
    import subprocess
    import sys

    from tests.server import REPO

    deploy(lambda_client, "def handler(event, context):\n    print('line for the log')\n")
    answer, _ = call(lambda_client, payload={})
    request_id = answer["ResponseMetadata"]["RequestId"]
    command = [sys.executable, "-m", "lamina", "logs", "fn", "--endpoint-url", endpoint]
    out = ""
    for _ in range(50):  # the lines are written within about 50 ms of the answer
        done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=60)
        out = done.stdout
        if "REPORT RequestId" in out:
            break
        time.sleep(0.1)
    assert done.returncode == 0, done.stderr
    lines = out.splitlines()
    assert lines[0].endswith(f"START RequestId: {request_id} Version: $LATEST")
    assert any(line.endswith(" line for the log") for line in lines)
    assert "\033[" not in out  # no colour when not writing to a terminal


def test_a_runtime_that_exits_during_init_reports_its_exit_status(lambda_client):
    deploy(lambda_client, "import sys\nsys.exit(2)\n")
    answer, body = call(lambda_client, payload={})
    assert answer["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.ExitError"
    assert body["errorMessage"].endswith("Runtime exited with error: exit status 2")


@pytest.mark.skipif(not os.environ.get("LAMINA_TEST_DATABASE_URL"), reason="needs PostgreSQL")
def test_a_change_on_one_node_of_a_fleet_reaches_invokes_on_another_within_a_second(tmp_path):
    from tests.conftest import client, engine_env
    from tests.server import LaminaServer

    nodes = [LaminaServer(tmp_path / f"node{i}", engine_env("postgresql")) for i in (1, 2)]
    for node in nodes:
        node.start()
    try:
        account = f"{int(time.time()):012d}"  # one account on both nodes, fresh for this run
        one, two = (client("lambda", node.url, access_key=account) for node in nodes)
        source = "import os\ndef handler(e, c):\n    return os.environ.get('COLOUR')\n"
        deploy(one, source, Environment={"Variables": {"COLOUR": "red"}})
        assert call(two, payload={})[1] == "red"
        one.update_function_configuration(
            FunctionName="fn", Environment={"Variables": {"COLOUR": "blue"}}
        )
        changed = time.monotonic()
        while call(two, payload={})[1] != "blue":
            assert time.monotonic() - changed < 3, "node two still invokes the old configuration"
            time.sleep(0.05)
    finally:
        for node in nodes:
            node.stop()
