"""The sandbox as a boundary (issue 14): what its walls cost a function. Init Duration of a new
environment, a warm invoke, and a function's call to AWS_ENDPOINT_URL on a new connection each
time (what a function's first AWS call pays for the path to Lamina), p50s. Run it on two
checkouts one after the other for a before/after; SQLite store, the default sandbox. Also the
same cold start for functions with a VpcConfig (on the VPC network), and what making that
network costs once (networks.py)."""

from __future__ import annotations

import json
import os
import statistics
import time

from bench.control_plane import lambda_client
from bench.harness import Lamina
from bench.invoke import ROLE, cold_starts, create, pct, warm_latency
from lamina.execution.sandbox.network import SandboxNetwork
from tests.conftest import make_zip

# One round trip to Lamina per call on a new connection: connect, a small request, the answer
# (an unsigned request: Lamina refuses it at once, so this is the path's cost, not a service's).
CALLER = make_zip(
    {
        "app.py": """
import http.client, os, time, urllib.parse

def handler(event, context):
    url = urllib.parse.urlsplit(os.environ["AWS_ENDPOINT_URL"])
    times = []
    for _ in range(event["count"]):
        started = time.perf_counter()
        conn = http.client.HTTPConnection(url.hostname, url.port)
        conn.request("GET", "/2015-03-31/functions/")
        conn.getresponse().read()
        conn.close()
        times.append((time.perf_counter() - started) * 1000)
    return times
"""
    }
)


def endpoint_calls(client, count: int = 300) -> list[float]:
    client.create_function(
        FunctionName="caller", Runtime="python3.12", Role=ROLE, Handler="app.handler",
        Code={"ZipFile": CALLER}, Timeout=60,
    )  # fmt: skip
    client.invoke(FunctionName="caller", Payload=json.dumps({"count": 10}))
    answer = client.invoke(FunctionName="caller", Payload=json.dumps({"count": count}))
    return json.loads(answer["Payload"].read())


VPC = {"SubnetIds": ["subnet-0bench"], "SecurityGroupIds": ["sg-0bench"]}


def vpc_network_made(count: int = 10) -> list[float]:
    """What the first VPC function's environment pays once: the namespace, its holder, and
    Lamina's listener in it (as the node makes them), in ms."""
    times = []
    for _ in range(count):
        started = time.perf_counter()
        network = SandboxNetwork(egress=False)
        network.listener(4566).close()
        times.append((time.perf_counter() - started) * 1000)
        network.close()
    return times


def run() -> None:
    with Lamina({"LAMINA_IDLE_TIMEOUT": "600"}) as lamina:
        client = lambda_client(lamina.url)
        create(client, "hello")
        time.sleep(0.3)
        warm = warm_latency(client, count=1000)
        _, inits = cold_starts(client, count=30)
        calls = endpoint_calls(client)
        _, vpc_inits = cold_starts(client, count=30, prefix="vpc", VpcConfig=VPC)
    made = vpc_network_made()
    print(f"warm invoke p50 {statistics.median(warm):.3f} ms  p99 {pct(warm, 99):.2f} ms")
    print(f"Init Duration p50 {statistics.median(inits):.2f} ms  p99 {pct(inits, 99):.2f} ms")
    # The first one also waits for the VPC network and its zygote, made at its CreateFunction.
    print(f"Init Duration with a VpcConfig p50 {statistics.median(vpc_inits):.2f} ms  "
          f"p99 {pct(vpc_inits, 99):.2f} ms  "
          f"(the node's first: {vpc_inits[0]:.1f} ms)")  # fmt: skip
    print(f"the VPC network made (once per node) p50 {statistics.median(made):.1f} ms  "
          f"max {max(made):.1f} ms")  # fmt: skip
    print(f"a function's call to AWS_ENDPOINT_URL on a new connection p50 "
          f"{statistics.median(calls):.3f} ms  p99 {pct(calls, 99):.3f} ms")  # fmt: skip
    print(f"({os.cpu_count()} cores)")


if __name__ == "__main__":
    run()
