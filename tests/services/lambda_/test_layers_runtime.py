"""A function's layers inside its sandbox, through boto3: unpacked at /opt in order (later over
earlier), read-only, and on the paths Lambda puts them on (sys.path, NODE_PATH, PATH,
LD_LIBRARY_PATH), for Python, Node.js and custom runtimes."""

from __future__ import annotations

import io
import json
import shutil
import zipfile

import pytest

from lamina.execution.sandbox import bubblewrap_problem
from tests.conftest import client, create_function, make_zip, own_server
from tests.server import LaminaServer

needs_bwrap = pytest.mark.skipif(
    bubblewrap_problem() is not None, reason=f"bubblewrap cannot run: {bubblewrap_problem()}"
)


def zip_of(files: dict[str, str], executable: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o755 if name in executable else 0o644) << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def layer(client, name: str, files: dict[str, str], executable: tuple[str, ...] = ()) -> str:
    content = {"ZipFile": zip_of(files, executable)}
    return client.publish_layer_version(LayerName=name, Content=content)["LayerVersionArn"]


def run(client, name: str = "fn", payload: object = None) -> object:
    answer = client.invoke(FunctionName=name, Payload=json.dumps(payload or {}).encode())
    body = json.loads(answer["Payload"].read())
    assert "FunctionError" not in answer, body
    return body


PROBE = """
import os, subprocess, sys
import greeting, shared, packaged

def handler(event, context):
    try:
        open("/opt/new", "w").write("x")
        writable = True
    except OSError:
        writable = False
    return {
        "greeting": greeting.WORD,
        "shared": shared.WHO,
        "packaged": packaged.NAME,
        "tool": subprocess.run(["tool"], capture_output=True, text=True).stdout.strip(),
        "ld": os.environ["LD_LIBRARY_PATH"].split(":")[-1],
        "path": sys.path[:3],
        "opt_writable": writable,
    }
"""


@needs_bwrap
def test_python_layers_stack_in_order_read_only_on_lambdas_paths(lambda_client):
    first = layer(
        lambda_client,
        "first",
        {
            "python/greeting.py": "WORD = 'first'\n",
            "python/shared.py": "WHO = 'first'\n",
            "bin/tool": "#!/bin/sh\necho from-first\n",
        },
        executable=("bin/tool",),
    )
    second = layer(
        lambda_client,
        "second",
        {
            "python/shared.py": "WHO = 'second'\n",  # the later layer's file wins
            "python/lib/python3.12/site-packages/packaged.py": "NAME = 'site'\n",
        },
    )
    create_function(
        lambda_client,
        Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": PROBE})},
        Layers=[first, second],
    )
    assert run(lambda_client) == {
        "greeting": "first",
        "shared": "second",
        "packaged": "site",
        "tool": "from-first",
        "ld": "/opt/lib",
        "path": ["/var/task", "/opt/python/lib/python3.12/site-packages", "/opt/python"],
        "opt_writable": False,
    }


@needs_bwrap
def test_a_function_keeps_running_a_deleted_layer_version_and_can_change_layers(lambda_client):
    old = layer(lambda_client, "lib", {"python/greeting.py": "WORD = 'one'\n"})
    new = layer(lambda_client, "lib", {"python/greeting.py": "WORD = 'two'\n"})
    source = "import greeting\ndef handler(event, context):\n    return greeting.WORD\n"
    code = {"ZipFile": make_zip({"app.py": source})}
    create_function(lambda_client, Handler="app.handler", Code=code, Layers=[old])
    lambda_client.delete_layer_version(LayerName="lib", VersionNumber=1)
    assert run(lambda_client) == "one"
    lambda_client.update_function_configuration(FunctionName="fn", Layers=[new])
    assert run(lambda_client) == "two"  # a new configuration: a new environment


@needs_bwrap
def test_a_published_version_keeps_the_layers_it_was_published_with(lambda_client):
    one = layer(lambda_client, "lib", {"python/greeting.py": "WORD = 'one'\n"})
    two = layer(lambda_client, "lib", {"python/greeting.py": "WORD = 'two'\n"})
    source = "import greeting\ndef handler(event, context):\n    return greeting.WORD\n"
    code = {"ZipFile": make_zip({"app.py": source})}
    create_function(lambda_client, Handler="app.handler", Code=code, Layers=[one])
    version = lambda_client.publish_version(FunctionName="fn")["Version"]
    lambda_client.update_function_configuration(FunctionName="fn", Layers=[two])
    config = lambda_client.get_function_configuration(FunctionName="fn", Qualifier=version)
    assert [x["Arn"] for x in config["Layers"]] == [one]
    answer = lambda_client.invoke(FunctionName="fn", Qualifier=version)
    assert json.loads(answer["Payload"].read()) == "one"
    assert run(lambda_client) == "two"


@needs_bwrap
@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_node_finds_modules_in_the_layers_node_modules(lambda_client):
    plain = layer(
        lambda_client, "plain", {"nodejs/node_modules/word/index.js": "module.exports = 'plain';"}
    )
    versioned = layer(
        lambda_client,
        "versioned",
        {"nodejs/node20/node_modules/other/index.js": "module.exports = 'node20';"},
    )
    source = "exports.handler = async () => [require('word'), require('other')];"
    create_function(
        lambda_client,
        Runtime="nodejs20.x",
        Handler="index.handler",
        Code={"ZipFile": make_zip({"index.js": source})},
        Layers=[plain, versioned],
    )
    assert run(lambda_client) == ["plain", "node20"]


BOOTSTRAP = """#!/bin/sh
set -e
api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation"
while true; do
  headers=$(mktemp)
  curl -sS -D "$headers" -o /dev/null "$api/next"
  id=$(grep -i '^lambda-runtime-aws-request-id:' "$headers" | tr -d '\\r' | cut -d' ' -f2)
  curl -sS -X POST -d "\\"$(helper)\\"" "$api/$id/response" > /dev/null
done
"""


@needs_bwrap
@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_a_custom_runtimes_bootstrap_may_come_from_a_layer(lambda_client):
    runtime = layer(
        lambda_client,
        "runtime",
        {"bootstrap": BOOTSTRAP, "bin/helper": "#!/bin/sh\necho layered\n"},
        executable=("bootstrap", "bin/helper"),
    )
    create_function(
        lambda_client,
        Runtime="provided.al2023",
        Handler="unused",
        Code={"ZipFile": make_zip({"README": "no bootstrap here"})},
        Layers=[runtime],
    )
    assert run(lambda_client) == "layered"


HOSTED = """
import os, shutil, sys
import greeting

def handler(event, context):
    opt = os.path.dirname(os.path.dirname(greeting.__file__))
    return {
        "greeting": greeting.WORD,
        "tool_found": shutil.which("tool") == os.path.join(opt, "bin", "tool"),
        "ld_last": os.environ["LD_LIBRARY_PATH"].split(":")[-1] == os.path.join(opt, "lib"),
    }
"""


def test_the_plain_process_backend_shows_layers_at_their_host_paths(tmp_path):
    """Without bubblewrap nothing is remapped: the paths Lambda names /opt/... are the
    environment's own layer directory on the host."""
    lamina = LaminaServer(tmp_path / "data", {"LAMINA_SANDBOX": "process"})
    lamina.start()
    try:
        lam = client("lambda", lamina.url)
        arn = layer(
            lam,
            "lib",
            {"python/greeting.py": "WORD = 'hosted'\n", "bin/tool": "#!/bin/sh\necho\n"},
            executable=("bin/tool",),
        )
        code = {"ZipFile": make_zip({"app.py": HOSTED})}
        create_function(lam, Handler="app.handler", Code=code, Layers=[arn])
        assert run(lam) == {"greeting": "hosted", "tool_found": True, "ld_last": True}
    finally:
        lamina.stop()


@needs_bwrap
def test_layers_and_their_permissions_survive_a_restart(tmp_path, engine):
    """Killed and started again on the same store: the versions, their policy and a function
    that uses one are all there, and the function still finds the layer at /opt."""
    with own_server(tmp_path / "data", engine, "lamina_layers_restart") as lamina:
        lam = client("lambda", lamina.url)
        arn = layer(lam, "lib", {"python/greeting.py": "WORD = 'kept'\n"})
        lam.add_layer_version_permission(
            LayerName="lib",
            VersionNumber=1,
            StatementId="all",
            Action="lambda:GetLayerVersion",
            Principal="*",
        )
        source = "import greeting\ndef handler(event, context):\n    return greeting.WORD\n"
        code = {"ZipFile": make_zip({"app.py": source})}
        create_function(lam, Handler="app.handler", Code=code, Layers=[arn])
        lamina.kill()
        lamina.start()
        lam = client("lambda", lamina.url)
        assert lam.get_layer_version_by_arn(Arn=arn)["Version"] == 1
        policy = json.loads(
            lam.get_layer_version_policy(LayerName="lib", VersionNumber=1)["Policy"]
        )
        assert [s["Sid"] for s in policy["Statement"]] == ["all"]
        assert run(lam) == "kept"
        assert (
            lam.publish_layer_version(LayerName="lib", Content={"ZipFile": make_zip()})["Version"]
            == 2
        )
