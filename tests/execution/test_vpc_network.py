"""Functions with a VpcConfig run on the VPC network (lamina/execution/sandbox/networks.py): no
route out, Lamina's AWS endpoint at AWS_ENDPOINT_URL, nothing of the node; functions without
one keep the default network on the same node. Proven from inside functions invoked through
boto3, on both engines."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tests.conftest import client, create_function, error_of, make_zip, own_server, wait_for
from tests.execution.sandboxing import needs_sandbox_network
from tests.execution.test_sandbox_network import (
    BOOTSTRAP,
    PROBE,
    PYTHON,
    REFUSED,
    host_listener,
    invoke,
)
from tests.services.lambda_ import test_extensions as extensions
from tests.services.lambda_.test_invoke_provided import deploy, provided_zip

pytestmark = needs_sandbox_network

VPC = {"SubnetIds": ["subnet-0a1b2c3d"], "SecurityGroupIds": ["sg-0a1b2c3d"]}
NO_VPC = {"SubnetIds": [], "SecurityGroupIds": []}
OUTSIDE = ["1.1.1.1", 443]

# PROBE, and Lamina's reset through AWS_ENDPOINT_URL.
VPC_PROBE = (
    PROBE
    + """
import urllib.error, urllib.request

def reset():
    url = os.environ["AWS_ENDPOINT_URL"] + "/_lamina/reset"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code

probe = handler

def handler(event, context):
    return {**probe(event, context), "reset": reset()}
"""
)


def create_probe(lambda_client, name: str, **overrides) -> None:
    create_function(
        lambda_client, name, Handler="app.handler", Timeout=30,
        Code={"ZipFile": make_zip({"app.py": VPC_PROBE})}, **overrides,
    )  # fmt: skip


def test_a_vpc_function_has_no_route_out_and_reaches_only_lamina(lambda_client):
    create_probe(lambda_client, "in-vpc", VpcConfig=VPC)
    create_probe(lambda_client, "outside-vpc")
    with host_listener() as port:
        targets = {"outside": OUTSIDE, "loopback": ["127.0.0.1", port]}
        inside = invoke(lambda_client, "in-vpc", {"targets": targets, "boto3": True})
    assert inside["default_routes"] == []
    assert inside["outside"] == "ENETUNREACH"
    assert inside["loopback"] in REFUSED
    assert sorted(inside["functions"]) == ["in-vpc", "outside-vpc"]  # through AWS_ENDPOINT_URL
    assert inside["reset"] == 403
    # A function without a VpcConfig on the same node keeps the default network.
    outside = invoke(lambda_client, "outside-vpc", {"targets": {}, "boto3": True})
    assert outside["default_routes"], "outside a VPC the namespace has a default route"
    assert sorted(outside["functions"]) == ["in-vpc", "outside-vpc"]
    assert outside["reset"] == 403
    shown = lambda_client.get_function_configuration(FunctionName="in-vpc")["VpcConfig"]
    assert shown == {**VPC, "VpcId": "", "Ipv6AllowedForDualStack": False}


def test_changing_the_vpc_config_moves_the_next_environment(lambda_client):
    create_probe(lambda_client, "moving", VpcConfig=VPC)
    assert invoke(lambda_client, "moving", {"targets": {}})["default_routes"] == []
    # Empty lists detach the function from its VPC, as on AWS.
    lambda_client.update_function_configuration(FunctionName="moving", VpcConfig=NO_VPC)
    config = lambda_client.get_function_configuration(FunctionName="moving")
    assert config["VpcConfig"]["SubnetIds"] == [] and config["VpcConfig"]["SecurityGroupIds"] == []
    assert invoke(lambda_client, "moving", {"targets": {}})["default_routes"]
    lambda_client.update_function_configuration(FunctionName="moving", VpcConfig=VPC)
    again = invoke(lambda_client, "moving", {"targets": {"outside": OUTSIDE}})
    assert again["default_routes"] == [] and again["outside"] == "ENETUNREACH"


@pytest.mark.skipif(not shutil.which(PYTHON), reason=f"no {PYTHON}")
def test_a_custom_runtime_in_a_vpc_reaches_its_runtime_api_and_not_the_outside(lambda_client):
    zipped = provided_zip({"bootstrap": BOOTSTRAP, "app.py": PROBE})
    deploy(lambda_client, zipped, "custom-vpc", VpcConfig=VPC)
    answer = invoke(lambda_client, "custom-vpc", {"targets": {"outside": OUTSIDE}})
    assert answer["default_routes"] == []  # and it answered: its Runtime API is on that network
    assert answer["outside"] == "ENETUNREACH"


NODE_PROBE = """
const fs = require("fs"), net = require("net");
exports.handler = async (event) => {
  const routes = fs.readFileSync("/proc/net/route", "utf8").trim().split("\\n").slice(1)
    .map((line) => line.split(/\\s+/)).filter((f) => f[1] === "00000000").map((f) => f[0]);
  const outside = await new Promise((done) => {
    const sock = net.connect(443, "1.1.1.1", () => { sock.destroy(); done("connected"); });
    sock.on("error", (e) => done(e.code));
    sock.setTimeout(3000, () => { sock.destroy(); done("timeout"); });
  });
  return { default_routes: routes, outside };
};
"""


@pytest.mark.skipif(not shutil.which("node"), reason="no node")
def test_a_nodejs_function_in_a_vpc_has_no_route_out(lambda_client):
    create_function(
        lambda_client, "node-vpc", Runtime="nodejs20.x", Handler="index.handler",
        Code={"ZipFile": make_zip({"index.js": NODE_PROBE})}, VpcConfig=VPC,
    )  # fmt: skip
    answer = invoke(lambda_client, "node-vpc", {})
    assert answer == {"default_routes": [], "outside": "ENETUNREACH"}


@pytest.mark.skipif(shutil.which("python3", path="/usr/bin") is None, reason="no python3")
def test_extensions_and_the_telemetry_api_serve_a_vpc_function(lambda_client):
    # A Python function's extension: its Extensions API on the VPC network.
    arn = extensions.layer(
        lambda_client, "ext", {"extensions/recorder": extensions.EXTENSION},
        executable=("extensions/recorder",),
    )  # fmt: skip
    code = {"ZipFile": extensions.zip_of({"app.py": extensions.PYTHON})}
    create_function(
        lambda_client, "fn", Handler="app.handler", Code=code, Layers=[arn], VpcConfig=VPC
    )
    _, body = extensions.invoke(lambda_client)
    assert json.loads(body["registered"])["handler"] == "app.handler"
    # A custom runtime's telemetry subscriber: Lamina posts to it on the VPC network.
    lambda_client.delete_function(FunctionName="fn")
    extensions.deploy_telemetry(lambda_client, {"maxItems": 1000, "maxBytes": 262144,
                                                "timeoutMs": 25})  # fmt: skip
    lambda_client.update_function_configuration(FunctionName="fn", VpcConfig=VPC)
    first = lambda_client.invoke(FunctionName="fn")["ResponseMetadata"]["RequestId"]

    def reported() -> bool:
        told = json.loads(lambda_client.invoke(FunctionName="fn")["Payload"].read())
        return any(
            r["type"] == "platform.report" and r["record"]["requestId"] == first
            for r in told["records"]
        )

    wait_for(reported)


def test_vpc_config_limits_are_the_models(lambda_client):
    subnets = [f"subnet-{n:08x}" for n in range(17)]
    with pytest.raises(ClientError) as excinfo:
        create_probe(lambda_client, "too-many", VpcConfig={"SubnetIds": subnets})
    assert error_of(excinfo)[:2] == ("ValidationException", 400)
    groups = [f"sg-{n:08x}" for n in range(6)]
    with pytest.raises(ClientError) as excinfo:
        create_probe(lambda_client, "too-many", VpcConfig={**VPC, "SecurityGroupIds": groups})
    assert error_of(excinfo)[:2] == ("ValidationException", 400)


def test_the_vpc_network_is_made_at_the_first_vpc_function_and_ends_with_lamina(tmp_path, engine):
    with own_server(tmp_path / "data", engine, "sbx_vpc_lifetime") as lamina:
        assert lamina.process is not None
        server = lamina.process.pid
        lambda_client = client("lambda", lamina.url)
        create_probe(lambda_client, "plain")
        invoke(lambda_client, "plain", {"targets": {}})
        assert len(holders(server)) == 1  # no VPC function yet: no VPC network
        create_probe(lambda_client, "in-vpc", VpcConfig=VPC)
        answer = invoke(lambda_client, "in-vpc", {"targets": {}, "boto3": True})
        assert answer["default_routes"] == [] and sorted(answer["functions"]) == ["in-vpc", "plain"]
        made = holders(server)
        assert len(made) == 2
    assert not [pid for pid in made if Path(f"/proc/{pid}").exists() and not _zombie(pid)]


def test_without_egress_vpc_functions_share_the_one_network(tmp_path, engine):
    env = {"LAMINA_FUNCTION_EGRESS": "0"}
    with own_server(tmp_path / "data", engine, "sbx_vpc_no_egress", env) as lamina:
        assert lamina.process is not None
        lambda_client = client("lambda", lamina.url)
        create_probe(lambda_client, "in-vpc", VpcConfig=VPC)
        answer = invoke(lambda_client, "in-vpc", {"targets": {"outside": OUTSIDE}, "boto3": True})
        assert answer["default_routes"] == [] and answer["outside"] == "ENETUNREACH"
        assert answer["functions"] == ["in-vpc"] and answer["reset"] == 403
        assert len(holders(lamina.process.pid)) == 1


def holders(ancestor: int) -> list[int]:
    """The network namespaces' holders (netns_holder.py) among `ancestor`'s descendants."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if b"netns_holder.py" in cmdline and _descends(int(entry), ancestor):
            found.append(int(entry))
    return found


def _descends(pid: int, ancestor: int) -> bool:
    while pid > 1:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return False
        pid = int(next(line for line in status.splitlines() if line.startswith("PPid:")).split()[1])
        if pid == ancestor:
            return True
    return False


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True
