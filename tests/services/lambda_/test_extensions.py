"""External extensions from a layer's extensions/, through boto3: a real extension (a small
Python script) registers through the Extensions API, receives INVOKE events, and the
environment waits for it as Lambda does, for custom and built-in runtimes; and the Telemetry
API delivering platform records and log lines to one."""

from __future__ import annotations

import base64
import json
import shutil
import time

import pytest

from lamina.execution.sandbox import bubblewrap_problem
from tests.conftest import client, create_function, log_events, wait_for
from tests.services.lambda_.test_layers_runtime import layer, zip_of

pytestmark = [
    pytest.mark.skipif(
        bubblewrap_problem() is not None, reason=f"bubblewrap cannot run: {bubblewrap_problem()}"
    ),
    pytest.mark.skipif(shutil.which("python3", path="/usr/bin") is None, reason="no python3"),
]

# Registers for INVOKE; for each, waits a little (work after the answer, as a telemetry
# shipper does), writes the request id to /tmp (the environment's, shared with the runtime),
# then asks for the next event.
EXTENSION = """#!/usr/bin/python3
import json, os, time, urllib.request
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2020-01-01/extension"
register = urllib.request.Request(
    api + "/register", data=json.dumps({"events": ["INVOKE", "SHUTDOWN"]}).encode(),
    headers={"Lambda-Extension-Name": "recorder", "Lambda-Extension-Accept-Feature": "accountId"},
    method="POST")
with urllib.request.urlopen(register) as answer:
    me = answer.headers["Lambda-Extension-Identifier"]
    open("/tmp/registered", "w").write(json.dumps(json.load(answer)))
while True:
    ask = urllib.request.Request(api + "/event/next", headers={"Lambda-Extension-Identifier": me})
    with urllib.request.urlopen(ask) as answer:
        event = json.load(answer)
    if event["eventType"] == "SHUTDOWN":  # tell the test, through Lamina's own Logs API
        name = "/shutdown/" + event["shutdownReason"]
        key = os.environ["AWS_ACCESS_KEY_ID"]
        urllib.request.urlopen(urllib.request.Request(
            os.environ["AWS_ENDPOINT_URL"], data=json.dumps({"logGroupName": name}).encode(),
            headers={"X-Amz-Target": "Logs_20140328.CreateLogGroup",
                     "Content-Type": "application/x-amz-json-1.1",
                     "Authorization": "AWS4-HMAC-SHA256 Credential=" + key
                     + "/20260101/us-east-1/logs/aws4_request, SignedHeaders=host, Signature=0"},
            method="POST"))
        break
    time.sleep(0.3)
    with open("/tmp/seen", "a") as seen:
        seen.write(event["requestId"] + "\\n")
"""

FAILING = """#!/usr/bin/python3
import json, os, urllib.request
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2020-01-01/extension"
register = urllib.request.Request(
    api + "/register", data=b'{"events": ["INVOKE"]}',
    headers={"Lambda-Extension-Name": "broken"}, method="POST")
with urllib.request.urlopen(register) as answer:
    me = answer.headers["Lambda-Extension-Identifier"]
fail = urllib.request.Request(
    api + "/init/error", data=b'{"errorMessage": "no config", "errorType": "Extension.NoConfig"}',
    headers={"Lambda-Extension-Identifier": me,
             "Lambda-Extension-Function-Error-Type": "Extension.NoConfig"}, method="POST")
urllib.request.urlopen(fail)
"""

# A custom runtime answering each event with what the extension has left in /tmp.
BOOTSTRAP = """#!/usr/bin/python3
import json, os, urllib.request
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation"
def read(path):
    return open(path).read() if os.path.exists(path) else ""
while True:
    with urllib.request.urlopen(api + "/next") as event:
        request_id = event.headers["Lambda-Runtime-Aws-Request-Id"]
    body = json.dumps({"seen": read("/tmp/seen").split(), "registered": read("/tmp/registered")})
    urllib.request.urlopen(urllib.request.Request(
        api + "/" + request_id + "/response", data=body.encode(), method="POST"))
"""


def deploy(client, extension: str) -> None:
    arn = layer(
        client, "ext", {"extensions/recorder": extension}, executable=("extensions/recorder",)
    )
    create_function(
        client,
        Runtime="provided.al2023",
        Handler="unused",
        Code={"ZipFile": zip_of({"bootstrap": BOOTSTRAP}, executable=("bootstrap",))},
        Layers=[arn],
    )


def invoke(client) -> tuple[dict, dict]:
    answer = client.invoke(FunctionName="fn", LogType="Tail")
    body = json.loads(answer["Payload"].read())
    assert "FunctionError" not in answer, body
    return answer, body


def test_an_extension_registers_gets_invoke_events_and_the_environment_waits_for_it(
    lambda_client,
):
    deploy(lambda_client, EXTENSION)
    first, body = invoke(lambda_client)
    assert json.loads(body["registered"]) == {
        "functionName": "fn",
        "functionVersion": "$LATEST",
        "handler": "unused",
        "accountId": "000000000000",
    }
    assert body["seen"] == []  # the answer came before the extension was done with it
    second, _ = invoke(lambda_client)
    # At once: the first environment is still busy while its extension works on the event,
    # so this invoke needs another (a second init), as on Lambda.
    assert "Init Duration" in base64.b64decode(second["LogResult"]).decode()
    ids = [first["ResponseMetadata"]["RequestId"], second["ResponseMetadata"]["RequestId"]]
    # Once an extension is done with its event and has asked for the next, its environment
    # is reused: an invoke then is warm, and sees what that extension recorded.
    for _ in range(100):
        time.sleep(0.2)
        answer, body = invoke(lambda_client)
        if "Init Duration" not in base64.b64decode(answer["LogResult"]).decode():
            break
        ids.append(answer["ResponseMetadata"]["RequestId"])
    else:
        pytest.fail("no environment was reused")
    assert len(body["seen"]) == 1 and body["seen"][0] in ids


def test_an_extension_gets_shutdown_when_its_environment_ends(lambda_client, endpoint):
    deploy(lambda_client, EXTENSION)
    invoke(lambda_client)
    # A new configuration retires the environment at the next invoke: SHUTDOWN first.
    lambda_client.update_function_configuration(FunctionName="fn", Description="changed")
    invoke(lambda_client)
    logs = client("logs", endpoint)

    def told() -> bool:
        groups = logs.describe_log_groups(logGroupNamePrefix="/shutdown/")["logGroups"]
        return [g["logGroupName"] for g in groups] == ["/shutdown/spindown"]

    wait_for(told)


def test_an_extensions_init_error_fails_the_init_with_its_type(lambda_client):
    deploy(lambda_client, FAILING)
    answer = lambda_client.invoke(FunctionName="fn")
    assert answer["FunctionError"] == "Unhandled"
    error = json.loads(answer["Payload"].read())
    assert error["errorType"] == "Extension.NoConfig"


PYTHON = """
import json, os

def read(path):
    return open(path).read() if os.path.exists(path) else ""

def handler(event, context):
    return {"seen": read("/tmp/seen").split(), "registered": read("/tmp/registered")}
"""

NODE = """
const fs = require("fs");
const read = (path) => (fs.existsSync(path) ? fs.readFileSync(path, "utf8") : "");
exports.handler = async () => ({
  seen: read("/tmp/seen").split("\\n").filter(Boolean),
  registered: read("/tmp/registered"),
});
"""


@pytest.mark.parametrize(
    "runtime, handler, files",
    [
        ("python3.12", "app.handler", {"app.py": PYTHON}),
        pytest.param(
            "nodejs20.x",
            "index.handler",
            {"index.js": NODE},
            marks=pytest.mark.skipif(shutil.which("node") is None, reason="no node"),
        ),
    ],
)
def test_built_in_runtimes_start_extensions_too(lambda_client, runtime, handler, files):
    arn = layer(
        lambda_client,
        "ext",
        {"extensions/recorder": EXTENSION},
        executable=("extensions/recorder",),
    )
    code = {"ZipFile": zip_of(files)}
    create_function(lambda_client, Runtime=runtime, Handler=handler, Code=code, Layers=[arn])
    first, body = invoke(lambda_client)
    assert json.loads(body["registered"])["handler"] == handler  # registered before the init
    assert body["seen"] == []

    def recorded() -> bool:
        _, body = invoke(lambda_client)
        return first["ResponseMetadata"]["RequestId"] in body["seen"]

    wait_for(recorded)


# Subscribes an HTTP listener of its own to the Telemetry API; keeps what it is sent in /tmp.
TELEMETRY = """#!/usr/bin/python3
import http.server, json, os, threading, urllib.request
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"]
class Listener(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        batch = self.rfile.read(int(self.headers["Content-Length"]))
        with open("/tmp/telemetry", "a") as kept:
            kept.write(batch.decode() + "\\n")
        self.send_response(200)
        self.end_headers()
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Listener)
threading.Thread(target=server.serve_forever, daemon=True).start()
register = urllib.request.Request(
    api + "/2020-01-01/extension/register", data=b'{"events": ["SHUTDOWN"]}',
    headers={"Lambda-Extension-Name": "telemetry"}, method="POST")
with urllib.request.urlopen(register) as answer:
    me = answer.headers["Lambda-Extension-Identifier"]
subscription = {
    "schemaVersion": "2022-12-13",
    "destination": {"protocol": "HTTP",
                    "URI": "http://sandbox.localdomain:%d/" % server.server_port},
    "types": ["platform", "function"],
    "buffering": BUFFERING,
}
urllib.request.urlopen(urllib.request.Request(
    api + "/2022-07-01/telemetry", data=json.dumps(subscription).encode(),
    headers={"Lambda-Extension-Identifier": me}, method="PUT"))
urllib.request.urlopen(urllib.request.Request(
    api + "/2020-01-01/extension/event/next", headers={"Lambda-Extension-Identifier": me}))
"""

TELLING_BOOTSTRAP = """#!/usr/bin/python3
import json, os, urllib.request
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation"
while True:
    with urllib.request.urlopen(api + "/next") as event:
        request_id = event.headers["Lambda-Runtime-Aws-Request-Id"]
    print("hello from the function", flush=True)
    kept = open("/tmp/telemetry").read().split("\\n") if os.path.exists("/tmp/telemetry") else []
    batches = [json.loads(batch) for batch in kept if batch]
    told = {"records": [r for batch in batches for r in batch], "sizes": [len(b) for b in batches]}
    urllib.request.urlopen(urllib.request.Request(
        api + "/" + request_id + "/response", data=json.dumps(told).encode(), method="POST"))
"""


def deploy_telemetry(client, buffering: dict) -> None:
    extension = TELEMETRY.replace("BUFFERING", json.dumps(buffering))
    files, executable = {"extensions/telemetry": extension}, ("extensions/telemetry",)
    arn = layer(client, "ext", files, executable=executable)
    code = {"ZipFile": zip_of({"bootstrap": TELLING_BOOTSTRAP}, executable=("bootstrap",))}
    create_function(client, Runtime="provided.al2023", Handler="unused", Code=code, Layers=[arn])


def test_the_telemetry_api_delivers_platform_records_and_function_logs(lambda_client):
    deploy_telemetry(lambda_client, {"maxItems": 1000, "maxBytes": 262144, "timeoutMs": 25})
    first = lambda_client.invoke(FunctionName="fn")
    first_id = first["ResponseMetadata"]["RequestId"]

    def delivered() -> list | None:
        records = json.loads(lambda_client.invoke(FunctionName="fn")["Payload"].read())["records"]
        reports = [r for r in records if r["type"] == "platform.report"]
        return records if any(r["record"]["requestId"] == first_id for r in reports) else None

    records = wait_for(delivered)
    types = [r["type"] for r in records]
    assert types[0] == "platform.initStart"
    assert {"platform.initRuntimeDone", "platform.start", "platform.runtimeDone"} <= set(types)
    assert {"type": "function", "record": "hello from the function"}.items() <= next(
        r for r in records if r["type"] == "function"
    ).items()
    report = next(r for r in records if r["type"] == "platform.report")["record"]
    assert report["status"] == "success"
    assert report["metrics"]["memorySizeMB"] == 128
    assert "initDurationMs" in report["metrics"]


def test_telemetry_batches_hold_at_most_max_items(lambda_client):
    deploy_telemetry(lambda_client, {"maxItems": 2, "maxBytes": 262144, "timeoutMs": 25})
    lambda_client.invoke(FunctionName="fn")

    def batches() -> list | None:
        told = json.loads(lambda_client.invoke(FunctionName="fn")["Payload"].read())
        return told["sizes"] if sum(told["sizes"]) >= 6 else None

    sizes = wait_for(batches)
    assert max(sizes) == 2  # the init's records alone are three: they came in two batches


def test_an_extensions_output_is_an_extension_record_and_in_the_functions_log(
    lambda_client, endpoint
):
    """As on AWS: the Telemetry API tells an extension's lines (type `extension`) from the
    function's, and CloudWatch Logs has both in the environment's log stream."""
    extension = TELEMETRY.replace(
        '"types": ["platform", "function"]', '"types": ["platform", "function", "extension"]'
    ).replace(
        'urllib.request.urlopen(urllib.request.Request(\n    api + "/2020-01-01/extension/event',
        "print('hello from the extension', flush=True)\n"
        'urllib.request.urlopen(urllib.request.Request(\n    api + "/2020-01-01/extension/event',
    )
    assert "hello from the extension" in extension
    extension = extension.replace("BUFFERING", json.dumps({"timeoutMs": 25}))
    files, executable = {"extensions/telemetry": extension}, ("extensions/telemetry",)
    arn = layer(lambda_client, "ext", files, executable=executable)
    code = {"ZipFile": zip_of({"bootstrap": TELLING_BOOTSTRAP}, executable=("bootstrap",))}
    create_function(lambda_client, Runtime="provided.al2023", Handler="unused", Code=code,
                    Layers=[arn])  # fmt: skip
    lambda_client.invoke(FunctionName="fn")

    def delivered() -> list | None:
        records = json.loads(lambda_client.invoke(FunctionName="fn")["Payload"].read())["records"]
        kinds = {r["type"] for r in records}
        return records if {"extension", "function"} <= kinds else None

    records = wait_for(delivered, timeout=60)
    lines = {(r["type"], r["record"]) for r in records if r["type"] in ("extension", "function")}
    assert ("extension", "hello from the extension") in lines
    assert ("function", "hello from the extension") not in lines
    assert ("function", "hello from the function") in lines
    logs = client("logs", endpoint)

    def logged() -> dict | None:
        events = log_events(logs, "/aws/lambda/fn")
        streams = {}
        for text in ("hello from the extension", "hello from the function"):
            streams[text] = {e["logStreamName"] for e in events if e["message"].strip() == text}
        return streams if all(streams.values()) else None

    streams = wait_for(logged, timeout=60)
    assert streams["hello from the extension"] <= streams["hello from the function"]


# Registers late (after a second), noting when; the runtime notes when it started.
LATE = """#!/usr/bin/python3
import os, time, urllib.request
time.sleep(1.0)
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2020-01-01/extension"
register = urllib.request.Request(
    api + "/register", data=b'{"events": []}',
    headers={"Lambda-Extension-Name": "late"}, method="POST")
with urllib.request.urlopen(register) as answer:
    me = answer.headers["Lambda-Extension-Identifier"]
open("/tmp/registered_at", "w").write(repr(time.time()))
urllib.request.urlopen(urllib.request.Request(
    api + "/event/next", headers={"Lambda-Extension-Identifier": me}))
"""

STARTED_BOOTSTRAP = """#!/usr/bin/python3
import json, os, time, urllib.request
started = time.time()
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation"
while True:
    with urllib.request.urlopen(api + "/next") as event:
        request_id = event.headers["Lambda-Runtime-Aws-Request-Id"]
    body = {"started": started, "registered": float(open("/tmp/registered_at").read())}
    urllib.request.urlopen(urllib.request.Request(
        api + "/" + request_id + "/response", data=json.dumps(body).encode(), method="POST"))
"""


def test_a_custom_runtime_starts_only_once_its_extensions_have_registered(lambda_client):
    arn = layer(lambda_client, "ext", {"extensions/late": LATE}, executable=("extensions/late",))
    code = {"ZipFile": zip_of({"bootstrap": STARTED_BOOTSTRAP}, executable=("bootstrap",))}
    create_function(lambda_client, Runtime="provided.al2023", Handler="unused", Code=code,
                    Layers=[arn])  # fmt: skip
    answer, body = invoke(lambda_client)
    assert body["started"] >= body["registered"]  # AWS: extensions register, then the runtime
    log = base64.b64decode(answer["LogResult"]).decode()
    init_ms = float(log.split("Init Duration: ")[1].split(" ms")[0])
    assert init_ms >= 1000  # the init phase held the extension's late registration
