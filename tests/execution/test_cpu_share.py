"""CPU in proportion to memory, as on Lambda (1,769 MB is one vCPU), where a writable cgroup v2
gives each environment cpu.max (lamina/execution/sandbox/cgroup.py); measured from inside a
function that spins for a second of wall time. Elsewhere (rlimits) there is no CPU share and
the test says so by skipping."""

from __future__ import annotations

import json

import pytest
import requests

from tests.conftest import create_function, make_zip

SPIN = """
import time

def handler(event, context):
    wall, cpu = time.monotonic(), time.process_time()
    while time.monotonic() - wall < 1.0:
        pass
    return (time.process_time() - cpu) / (time.monotonic() - wall)
"""


def test_a_small_function_gets_a_small_share_of_a_cpu_and_1769_mb_a_whole_one(
    lambda_client, endpoint
):
    health = requests.get(f"{endpoint}/_lamina/health", timeout=5).json()
    if health["sandbox"]["limits"] != "cgroup":
        pytest.skip("no writable cgroup v2 here: environments have rlimits, not a CPU share")
    shares = {}
    for memory in (128, 1769):
        create_function(lambda_client, f"spin-{memory}", Handler="app.handler", MemorySize=memory,
                        Code={"ZipFile": make_zip({"app.py": SPIN})})  # fmt: skip
        answer = lambda_client.invoke(FunctionName=f"spin-{memory}")
        shares[memory] = json.loads(answer["Payload"].read())
    assert shares[128] < 0.15, shares  # 128 / 1769: about 7% of one vCPU
    assert shares[1769] > 0.5, shares  # one whole vCPU (less only on a machine at full load)
    assert shares[1769] > 4 * shares[128], shares
