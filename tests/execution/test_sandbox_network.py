"""The sandboxes' network (issue 14), proven from inside functions invoked through boto3: they
reach Lamina's AWS endpoint and, with egress, the outside; never the node's loopback, its own
addresses or private ranges; without egress, nothing but Lamina."""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
from collections.abc import Iterator

import pytest

from lamina.execution.sandbox.network import SandboxNetwork, host_addresses, nft_rules
from tests.conftest import create_function, make_zip, own_server
from tests.execution.sandboxing import CONNECT, needs_sandbox_network
from tests.services.lambda_.test_invoke_provided import PYTHON, deploy, provided_zip

pytestmark = needs_sandbox_network

# What a function finds when it connects to each target: ("host", port) pairs in the event.
PROBE = (
    CONNECT
    + """
def default_routes():
    with open("/proc/net/route") as routes:
        return [line.split()[0] for line in routes.readlines()[1:] if line.split()[1] == "00000000"]

def handler(event, context):
    answer = {name: connect(host, port) for name, (host, port) in event["targets"].items()}
    answer["default_routes"] = default_routes()
    if event.get("boto3"):
        import boto3
        names = [f["FunctionName"] for f in boto3.client("lambda").list_functions()["Functions"]]
        answer["functions"] = names
    return answer
"""
)

REFUSED = ("ECONNREFUSED", "ENETUNREACH", "EHOSTUNREACH")


def invoke(client, name: str, event: dict) -> dict:
    answer = client.invoke(FunctionName=name, Payload=json.dumps(event).encode())
    payload = json.loads(answer["Payload"].read())
    assert "FunctionError" not in answer, payload
    return payload


@contextlib.contextmanager
def host_listener(address: str = "127.0.0.1") -> Iterator[int]:
    """A port listening on the host (connectable from here), for a function to try."""
    with socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET) as sock:
        sock.bind((address, 0))
        sock.listen(8)
        yield sock.getsockname()[1]


def reachable_from_host(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.settimeout(2)
        return sock.connect_ex((host, port)) == 0


def own_address() -> str | None:
    """The node's own non-loopback IPv4 address, if it has one."""
    return next((a for a in host_addresses() if ":" not in a), None)


def test_a_function_reaches_no_service_on_the_nodes_loopback(lambda_client):
    create_function(
        lambda_client, "probe", Handler="app.handler", Code={"ZipFile": make_zip({"app.py": PROBE})}
    )
    with host_listener() as port:
        assert reachable_from_host("127.0.0.1", port)
        targets = {"loopback": ["127.0.0.1", port], "postgres": ["127.0.0.1", 5432]}
        answer = invoke(lambda_client, "probe", {"targets": targets})
    assert answer["loopback"] in REFUSED
    assert answer["postgres"] in REFUSED


def test_a_function_reaches_neither_the_nodes_own_address_nor_private_ranges(lambda_client):
    address = own_address()
    if address is None:
        pytest.skip("the node has no non-loopback IPv4 address")
    create_function(
        lambda_client, "probe", Handler="app.handler", Code={"ZipFile": make_zip({"app.py": PROBE})}
    )
    with host_listener("0.0.0.0") as port:
        assert reachable_from_host(address, port)
        targets = {
            "own": [address, port],
            "private": ["10.0.0.1", 80],
            "metadata": ["169.254.169.254", 80],
            "lan": ["192.168.1.1", 80],
        }
        answer = invoke(lambda_client, "probe", {"targets": targets})
    assert {name: answer[name] for name in targets} == {
        name: answer[name] for name in targets if answer[name] in REFUSED
    }, answer


def test_a_function_still_calls_lambda_through_aws_endpoint_url_and_reaches_the_outside(
    lambda_client,
):
    create_function(
        lambda_client, "probe", Handler="app.handler", Code={"ZipFile": make_zip({"app.py": PROBE})}
    )
    outside = ["1.1.1.1", 443]
    answer = invoke(lambda_client, "probe", {"targets": {"outside": outside}, "boto3": True})
    assert answer["functions"] == ["probe"]
    assert answer["default_routes"], "with egress the namespace has a default route"
    if reachable_from_host(*outside):
        assert answer["outside"] == "connected"


def test_without_egress_a_function_reaches_only_lamina(tmp_path, engine):
    with own_server(
        tmp_path / "data", engine, "sbx_net_no_egress", {"LAMINA_FUNCTION_EGRESS": "0"}
    ) as lamina:
        from tests.conftest import client

        lambda_client = client("lambda", lamina.url)
        create_function(
            lambda_client,
            "probe",
            Handler="app.handler",
            Code={"ZipFile": make_zip({"app.py": PROBE})},
        )
        answer = invoke(
            lambda_client, "probe", {"targets": {"outside": ["1.1.1.1", 443]}, "boto3": True}
        )
    assert answer["default_routes"] == []
    assert answer["outside"] == "ENETUNREACH"
    assert answer["functions"] == ["probe"]


# A custom runtime: the same probe, from a stdlib Python bootstrap speaking the Runtime API.
BOOTSTRAP = f"""#!{PYTHON}
import json, os, sys, urllib.request
sys.path.insert(0, os.environ["LAMBDA_TASK_ROOT"])
import app
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"
while True:
    with urllib.request.urlopen(api + "next") as event:
        request_id = event.headers["Lambda-Runtime-Aws-Request-Id"]
        answer = app.handler(json.loads(event.read()), None)
    urllib.request.urlopen(api + request_id + "/response", json.dumps(answer).encode()).read()
"""


@pytest.mark.skipif(not shutil.which(PYTHON), reason=f"no {PYTHON}")
def test_a_custom_runtime_reaches_its_runtime_api_but_not_the_nodes_loopback(lambda_client):
    deploy(lambda_client, provided_zip({"bootstrap": BOOTSTRAP, "app.py": PROBE}), "custom")
    with host_listener() as port:
        answer = invoke(lambda_client, "custom", {"targets": {"loopback": ["127.0.0.1", port]}})
    assert answer["loopback"] in REFUSED


def test_the_network_ends_with_lamina_and_leaves_no_process():
    network = SandboxNetwork(egress=True)
    pids = network.pids()
    assert len(pids) == 2  # the holder and pasta
    listener = network.listener()
    listener.listen()
    port = listener.getsockname()[1]
    try:
        # A socket Lamina made in the namespace is reachable from inside it, not from here.
        connect = f"import socket; socket.create_connection(('127.0.0.1', {port}), 3)"
        inside = subprocess.run(
            network.enter([PYTHON, "-c", connect]), capture_output=True, timeout=20
        )
        assert inside.returncode == 0, inside.stderr
        assert not reachable_from_host("127.0.0.1", port)
    finally:
        listener.close()
        network.close()
    assert all(not _alive(pid) for pid in pids)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except OSError:
        return False


def test_nft_rules_let_dns_through_to_a_private_resolver_and_refuse_the_rest():
    rules = nft_rules(["192.0.2.2", "fd00::2"], ["10.255.255.53"])
    assert "ip daddr { 10.255.255.53 } udp dport 53 accept" in rules
    assert rules.index("dport 53 accept") < rules.index("reject")
    assert "192.0.2.2/32" in rules
    assert "fd00::2" not in rules  # inside fc00::/7: nftables refuses overlapping intervals


def test_a_namespace_that_cannot_be_made_is_one_warning_and_the_hosts_network(monkeypatch, caplog):
    from lamina.execution.sandbox import network as network_module

    monkeypatch.setattr(network_module, "nft_rules", lambda own, dns: "not nftables\n")
    with caplog.at_level("WARNING", logger="lamina.execution"):
        network = network_module.sandbox_network(egress=True)
    assert not network.isolated
    assert network.enter(["true"]) == ["true"]
    [warning] = [r.getMessage() for r in caplog.records if "share the node's network" in r.message]
    assert "nft" in warning  # the reason, as nft gave it


def test_a_resolver_on_the_hosts_loopback_is_reached_through_pastas_dns_forward(tmp_path):
    """systemd-resolved's 127.0.0.53 is not on the namespace's loopback: sandboxes are told
    DNS_FORWARD instead, which pasta forwards to the host's resolver."""
    from lamina.execution.sandbox import BubblewrapSandbox
    from lamina.execution.sandbox.network import DNS_FORWARD
    from lamina.execution.sandbox.networks import SandboxNetworks
    from tests.execution.sandboxing import python_spec, run

    resolv = tmp_path / "resolv.conf"
    resolv.write_text("search example.internal\nnameserver 127.0.0.53\noptions edns0\n")
    network = SandboxNetwork(egress=True, resolv_conf=str(resolv))
    try:
        with open(f"/proc/{network.pids()[1]}/cmdline") as cmdline:  # pasta's
            assert f"--dns-forward\0{DNS_FORWARD}\0" in cmdline.read()
        backend = BubblewrapSandbox(networks=SandboxNetworks(network))
        # pasta forwards to the first resolver of the host's own resolv.conf: where the host
        # resolves names, a sandbox resolves them through the forward.
        host_resolves = _resolves("pypi.org")
        code = (
            "import socket; print(repr(open('/etc/resolv.conf').read()))\n"
            "try: print(bool(socket.getaddrinfo('pypi.org', 443)))\n"
            "except OSError: print(False)"
        )
        (tmp_path / "task").mkdir()
        result = run(backend, python_spec(code, tmp_path / "task"), tmp_path / "logs")
        assert result.status == 0, result.err
        seen, resolved = result.out.splitlines()
        assert seen == repr(f"search example.internal\nnameserver {DNS_FORWARD}\noptions edns0\n")
        assert resolved == str(host_resolves)
    finally:
        network.close()


def _resolves(name: str) -> bool:
    try:
        return bool(socket.getaddrinfo(name, 443))
    except OSError:
        return False


def test_without_a_loopback_resolver_sandboxes_see_the_hosts_resolv_conf(tmp_path):
    resolv = tmp_path / "resolv.conf"
    resolv.write_text("nameserver 10.255.255.53\n")
    network = SandboxNetwork(egress=True, resolv_conf=str(resolv))
    try:
        assert network.etc_files() == {}
    finally:
        network.close()
