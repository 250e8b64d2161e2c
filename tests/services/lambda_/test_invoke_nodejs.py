"""Invoke nodejs functions through boto3: Lamina's own bootstrap behaves as AWS's Node.js
runtime does (handler lookup, module formats, context, callbacks, errors, console logs)."""

from __future__ import annotations

import base64
import re
import shutil

import pytest

from tests.conftest import create_function, make_zip
from tests.services.lambda_.test_invoke import call

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None, reason="node is not installed: the nodejs runtimes need it"
)


def deploy(client, files: dict[str, str], handler: str = "index.handler", **overrides):
    overrides.setdefault("Runtime", "nodejs20.x")
    create_function(client, "fn", Handler=handler, Code={"ZipFile": make_zip(files)}, **overrides)


def tail_of(answer) -> list[str]:
    return base64.b64decode(answer["LogResult"]).decode().split("\n")


ECHO = """
let calls = 0;
exports.handler = async (event, context) => {
  calls += 1;
  return { event, calls, requestId: context.awsRequestId };
};
"""


def test_a_commonjs_async_handler_answers_and_its_module_stays_warm(lambda_client):
    deploy(lambda_client, {"index.js": ECHO})
    answer, first = call(lambda_client, payload={"hello": "world"})
    assert answer["StatusCode"] == 200 and "FunctionError" not in answer, first
    assert first["event"] == {"hello": "world"}
    assert first["requestId"] == answer["ResponseMetadata"]["RequestId"]
    _, second = call(lambda_client)
    assert (first["calls"], second["calls"]) == (1, 2)
    assert second["event"] == {}  # an empty payload is an empty event


@pytest.mark.parametrize(
    ("files", "handler"),
    [
        ({"app.mjs": "export const handler = async (e) => ({ esm: e.n + 1 });"}, "app.handler"),
        ({"package.json": '{"type": "module"}',
          "app.js": "export const handler = async (e) => ({ esm: e.n + 1 });"}, "app.handler"),
        ({"app.cjs": "module.exports.handler = async (e) => ({ esm: e.n + 1 });"}, "app.handler"),
        ({"src/lib/app.js": "exports.go = async (e) => ({ esm: e.n + 1 });"}, "src/lib/app.go"),
        ({"app.js": "exports.api = { v1: { handler: async (e) => ({ esm: e.n + 1 }) } };"},
         "app.api.v1.handler"),
    ],
    ids=["mjs", "type-module", "cjs", "nested-path", "dotted-export"],
)  # fmt: skip
def test_handlers_are_found_as_aws_finds_them(lambda_client, files, handler):
    deploy(lambda_client, files, handler=handler, Runtime="nodejs22.x")
    answer, body = call(lambda_client, payload={"n": 41})
    assert "FunctionError" not in answer, body
    assert body == {"esm": 42}


def test_an_esm_module_under_type_module_is_not_loaded_as_commonjs(lambda_client):
    # `import` syntax would be a SyntaxError if the .js file were require()d.
    files = {
        "package.json": '{"type": "module"}',
        "util.js": "export const twice = (n) => n * 2;",
        "index.js": "import { twice } from './util.js';\n"
        "export const handler = async (e) => twice(e.n);",
    }
    deploy(lambda_client, files)
    assert call(lambda_client, payload={"n": 21})[1] == 42


CALLBACKS = """
exports.handler = (event, context, callback) => {
  if (event.mode === 'error') return callback(new TypeError('called back with an error'));
  if (event.mode === 'succeed') return context.succeed({ via: 'succeed' });
  if (event.mode === 'nowait') {
    context.callbackWaitsForEmptyEventLoop = false;
    setTimeout(() => {}, 60000);  // would hold the answer for a minute if it were waited for
    return callback(null, { via: 'nowait' });
  }
  // The answer waits for the event loop to empty: the timer's work is in it.
  const state = { via: 'callback', timer: false };
  setTimeout(() => { state.timer = true; }, 50);
  callback(null, state);
};
"""


def test_callback_handlers_answer_as_on_aws(lambda_client):
    deploy(lambda_client, {"index.js": CALLBACKS})
    assert call(lambda_client, payload={})[1] == {"via": "callback", "timer": True}
    assert call(lambda_client, payload={"mode": "succeed"})[1] == {"via": "succeed"}
    assert call(lambda_client, payload={"mode": "nowait"})[1] == {"via": "nowait"}
    answer, body = call(lambda_client, payload={"mode": "error"})
    assert answer["FunctionError"] == "Unhandled"
    assert (body["errorType"], body["errorMessage"]) == ("TypeError", "called back with an error")


def test_a_plain_function_that_returns_without_answering_answers_null_as_on_aws(lambda_client):
    deploy(lambda_client, {"index.js": "exports.handler = (event, context) => ({ lost: true });"})
    answer, body = call(lambda_client, payload={})
    assert "FunctionError" not in answer
    assert body is None


CONTEXT = """
exports.handler = async (event, context) => ({
  env: process.env,
  context: { ...context, remaining: context.getRemainingTimeInMillis() },
  cwd: process.cwd(),
  gc: typeof global.gc,
  heapLimitMb: require('v8').getHeapStatistics().heap_size_limit / 2 ** 20,
});
"""


def test_the_function_sees_lambdas_environment_and_context(lambda_client, endpoint):
    deploy(lambda_client, {"index.js": CONTEXT}, MemorySize=256, Timeout=30,
           Environment={"Variables": {"GREETING": "hi"}})  # fmt: skip
    answer, body = call(lambda_client, payload={})
    assert "FunctionError" not in answer, body
    env, context = body["env"], body["context"]
    assert env["GREETING"] == "hi"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "fn"
    assert env["AWS_ENDPOINT_URL"] == endpoint
    assert env["_HANDLER"] == "index.handler"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_nodejs20.x"
    assert env["_X_AMZN_TRACE_ID"].startswith("Root=1-")
    assert "/opt/nodejs/node20/node_modules" in env["NODE_PATH"].split(":")
    assert not [key for key in env if key.startswith("_LAMINA") or key.startswith("LAMINA")]
    assert body["cwd"] == env["LAMBDA_TASK_ROOT"]
    assert body["gc"] == "function"  # node runs with --expose-gc, as on AWS
    assert 200 < body["heapLimitMb"] < 300  # V8's heap sized from MemorySize (256), as on AWS
    assert context["functionName"] == "fn"
    assert context["functionVersion"] == "$LATEST"
    assert context["invokedFunctionArn"].endswith(":function:fn")
    assert context["memoryLimitInMB"] == "256"  # a string, as AWS gives it
    assert context["awsRequestId"] == answer["ResponseMetadata"]["RequestId"]
    assert context["logGroupName"] == "/aws/lambda/fn"
    assert context["logStreamName"] == env["AWS_LAMBDA_LOG_STREAM_NAME"]
    assert context["callbackWaitsForEmptyEventLoop"] is True
    assert 0 < context["remaining"] <= 30_000


def test_console_output_is_in_the_tail_in_aws_format(lambda_client):
    source = """
exports.handler = async () => {
  console.log('hello %s', 'node', { a: 1 });
  console.warn('careful');
  console.error('two\\nlines');
  process.stdout.write('raw write\\n');
  return 'ok';
};
"""
    deploy(lambda_client, {"index.js": source})
    answer, _ = call(lambda_client, payload={}, LogType="Tail")
    request_id = answer["ResponseMetadata"]["RequestId"]
    lines = tail_of(answer)
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
    logged = [line for line in lines if re.match(stamp + "\t", line)]
    assert [line.split("\t", 1)[1] for line in logged] == [
        f"{request_id}\tINFO\thello node {{ a: 1 }}",
        f"{request_id}\tWARN\tcareful",
        f"{request_id}\tERROR\ttwo\rlines",  # one call, one log event, as AWS writes it
    ]
    assert "raw write" in lines
    assert lines.index("raw write") < lines.index(f"END RequestId: {request_id}")


def test_a_thrown_error_is_unhandled_with_type_message_and_trace(lambda_client):
    source = "exports.handler = async () => { throw new RangeError('too far'); };\n"
    deploy(lambda_client, {"index.js": source})
    answer, body = call(lambda_client, payload={}, LogType="Tail")
    assert answer["FunctionError"] == "Unhandled"
    assert body["errorType"] == "RangeError"
    assert body["errorMessage"] == "too far"
    assert body["trace"][0] == "RangeError: too far"
    assert any("/var/task/index.js:1" in line or "index.js:1" in line for line in body["trace"])
    # Logged as AWS's runtime logs it.
    assert any("\tERROR\tInvoke Error \t{" in line for line in tail_of(answer))


@pytest.mark.parametrize(
    ("files", "handler", "error_type", "message"),
    [
        ({"index.js": ""}, "missing.handler", "Runtime.ImportModuleError",
         "Error: Cannot find module 'missing'"),
        ({"index.js": "exports.other = () => 1;"}, "index.handler", "Runtime.HandlerNotFound",
         "index.handler is undefined or not exported"),
        ({"index.js": "exports.handler = 7;"}, "index.handler", "Runtime.HandlerNotFound",
         "index.handler is not a function"),
        ({"index.js": ""}, "index", "Runtime.MalformedHandlerName", "Bad handler"),
        ({"index.js": "exports.handler = async () => {"}, "index.handler",
         "Runtime.UserCodeSyntaxError", "SyntaxError: Unexpected end of input"),
        ({"index.js": "throw new Error('init went wrong');"}, "index.handler", "Error",
         "init went wrong"),
    ],
    ids=["import", "missing-export", "not-a-function", "malformed", "syntax", "init-throws"],
)  # fmt: skip
def test_init_failures_name_aws_error_types(lambda_client, files, handler, error_type, message):
    deploy(lambda_client, files, handler=handler)
    answer, body = call(lambda_client, payload={})
    assert answer["FunctionError"] == "Unhandled"
    assert body["errorType"] == error_type
    assert body["errorMessage"].startswith(message)


def test_an_answer_json_cannot_hold_is_an_error_as_on_aws(lambda_client):
    # AWS's Node runtime (nodejs18.x-22.x) answers an Error named "Error" with this message.
    deploy(lambda_client, {"index.js": "exports.handler = async () => ({ big: 10n });"})
    answer, body = call(lambda_client, payload={})
    assert answer["FunctionError"] == "Unhandled"
    assert (body["errorType"], body["errorMessage"]) == (
        "Error",
        "Unable to stringify response body",
    )


def test_an_uncaught_exception_answers_an_error_and_the_next_invoke_works(lambda_client):
    source = """
let calls = 0;
exports.handler = (event, context, callback) => {
  calls += 1;
  if (event.crash) setTimeout(() => { throw new Error('from a timer'); }, 10);
  else callback(null, calls);
};
"""
    deploy(lambda_client, {"index.js": source})
    answer, body = call(lambda_client, payload={"crash": True}, LogType="Tail")
    assert answer["FunctionError"] == "Unhandled"
    assert (body["errorType"], body["errorMessage"]) == ("Error", "from a timer")
    assert any("\tERROR\tUncaught Exception \t{" in line for line in tail_of(answer))
    # The next invoke is answered by the function, not a runtime exit error.
    answer, body = call(lambda_client, payload={})
    assert "FunctionError" not in answer, body
    assert isinstance(body, int)


def test_a_timeout_ends_the_environment_and_the_next_invoke_starts_fresh(lambda_client):
    source = """
let calls = 0;
exports.handler = async (event) => {
  calls += 1;
  if (event.sleep) await new Promise((resolve) => setTimeout(resolve, 5000));
  return calls;
};
"""
    deploy(lambda_client, {"index.js": source}, Timeout=1)
    assert call(lambda_client, payload={})[1] == 1
    answer, body = call(lambda_client, payload={"sleep": True})
    assert answer["FunctionError"] == "Unhandled"
    assert "Task timed out after 1.00 seconds" in body["errorMessage"]
    assert call(lambda_client, payload={})[1] == 1  # a new environment: fresh module state


def test_128_mb_runs_and_large_payloads_pass_both_ways(lambda_client):
    source = "exports.handler = async (event) => ({ size: event.data.length, back: event.data });"
    deploy(lambda_client, {"index.js": source}, MemorySize=128)
    data = "x" * (5 * 1024 * 1024)  # most of the 6 MB limit, across many socket reads
    answer, body = call(lambda_client, payload={"data": data})
    assert "FunctionError" not in answer, body
    assert body["size"] == len(data) and body["back"] == data


def test_a_function_over_its_memory_dies_and_the_next_invoke_starts_fresh(lambda_client):
    source = """
exports.handler = async (event) => {
  const keep = [];
  for (let i = 0; i < event.mb; i++) keep.push(new Array(128 * 1024).fill(i));  // ~1 MB each
  return keep.length;
};
"""
    deploy(lambda_client, {"index.js": source}, MemorySize=128)
    assert call(lambda_client, payload={"mb": 40})[1] == 40
    answer, body = call(lambda_client, payload={"mb": 400})
    assert answer["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.ExitError"
    assert call(lambda_client, payload={"mb": 10})[1] == 10


def test_the_node_binary_is_the_runtimes_major_else_the_closest(monkeypatch, caplog):
    from lamina.execution import runtimes

    found = {18: "/x/node18", 20: "/x/node20", 24: "/x/node24"}
    monkeypatch.setattr(runtimes, "_node_candidates", lambda: found)
    choose = runtimes.node_interpreter.__wrapped__  # without the cache
    assert choose("nodejs20.x") == "/x/node20"
    assert not caplog.records
    assert choose("nodejs22.x") == "/x/node24"  # equally close: the newer one
    assert "no node 22 here" in caplog.text
    monkeypatch.setattr(runtimes, "_node_candidates", dict)
    with pytest.raises(runtimes.RuntimeUnavailable):
        choose("nodejs20.x")
