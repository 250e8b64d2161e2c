"""The `lamina serve` process: health, a busy port, clean stops, restarts, reset, odd requests."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest
import requests

from tests.conftest import ENGINES, client, create_function, engine_env
from tests.server import REPO, LaminaServer


def test_health_says_ready_with_version_services_and_store(server, engine):
    answer = requests.get(f"{server.url}/_lamina/health", timeout=5)
    assert answer.status_code == 200
    health = answer.json()
    assert health["status"] == "ready"
    assert health["version"]
    assert health["services"]["lambda"] == "running"
    assert health["store"]["engine"] == engine


def test_health_says_what_confines_functions(server):
    """As the start-up warnings do: a user sees the sandbox's promises hold here, or not."""
    from lamina.execution.sandbox import bubblewrap_problem

    sandbox = requests.get(f"{server.url}/_lamina/health", timeout=5).json()["sandbox"]
    assert sandbox["limits"] in ("cgroup", "rlimit")
    if bubblewrap_problem() is None:
        assert sandbox["backend"] == "bubblewrap" and sandbox["user"] == "sbx_user1051"
        assert sandbox["network"] in ("namespace", "host")
    else:
        assert sandbox == {**sandbox, "backend": "process", "network": "host", "seccomp": False}


def test_every_answer_has_a_request_id(server):
    answer = requests.get(f"{server.url}/_lamina/health", timeout=5)
    assert len(answer.headers["x-amzn-RequestId"]) == 36


def test_a_busy_port_is_one_line_and_exit_code_1(server, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "lamina", "serve", "--port", str(server.port),
         "--data-dir", str(tmp_path)],
        cwd=REPO, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "cannot listen" in result.stderr
    assert "Traceback" not in result.stderr


def test_start_up_says_one_line_with_address_and_store(tmp_path):
    lamina = LaminaServer(tmp_path / "data")
    lamina.start()
    try:
        lines = lamina.output().strip().splitlines()
    finally:
        lamina.stop()
    assert len(lines) == 1, lines
    assert f"listening on http://127.0.0.1:{lamina.port}" in lines[0]
    assert f"(store: sqlite at {tmp_path / 'data' / 'lamina.db'})" in lines[0]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_exits_0_within_10_seconds(tmp_path, sig):
    lamina = LaminaServer(tmp_path / "data")
    lamina.start()
    started = time.monotonic()
    assert lamina.stop(sig) == 0
    assert time.monotonic() - started < 10
    assert "stopped" in lamina.output()


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_functions_survive_a_restart(tmp_path, engine, sig):
    lamina = LaminaServer(tmp_path / "data", engine_env(engine))
    lamina.start()
    # A fresh account of its own, so a shared PostgreSQL store does not mix runs.
    key = f"{int(time.time() * 1000) % 10**12:012d}"
    lam = client("lambda", lamina.url, access_key=key)
    created = create_function(lam, "durable", Tags={"k": "v"}, MemorySize=256)
    lam.put_function_concurrency(FunctionName="durable", ReservedConcurrentExecutions=7)
    lamina.stop(sig)
    lamina.start()
    try:
        got = lam.get_function(FunctionName="durable")
        assert got["Configuration"]["RevisionId"] == created["RevisionId"]
        assert got["Configuration"]["MemorySize"] == 256
        assert got["Tags"] == {"k": "v"}
        assert got["Concurrency"] == {"ReservedConcurrentExecutions": 7}
        assert requests.get(got["Code"]["Location"], timeout=5).status_code == 200
    finally:
        lam.delete_function(FunctionName="durable")
        lamina.stop()


def test_reset_wipes_every_account_and_region(server, endpoint):
    create_function(client("lambda", endpoint), "a")
    create_function(client("lambda", endpoint, access_key="222222222222", region="eu-west-1"), "b")
    assert requests.post(f"{endpoint}/_lamina/reset", timeout=10).status_code == 200
    assert client("lambda", endpoint).list_functions()["Functions"] == []
    west = client("lambda", endpoint, access_key="222222222222", region="eu-west-1")
    assert west.list_functions()["Functions"] == []


def test_log_lines_of_the_old_state_do_not_come_back_after_a_reset(server, endpoint):
    lambda_client = client("lambda", endpoint)
    create_function(lambda_client, "fn")
    for _ in range(3):  # their lines wait in the log batcher when the reset comes
        lambda_client.invoke(FunctionName="fn", Payload=b"{}")
    assert requests.post(f"{endpoint}/_lamina/reset", timeout=30).status_code == 200
    time.sleep(0.5)  # well past the batcher's flush
    assert client("logs", endpoint).describe_log_groups()["logGroups"] == []


def test_reset_is_off_for_postgresql_unless_allowed(tmp_path):
    from lamina.config import Settings

    pg = "postgresql+psycopg://u@h/db"
    assert Settings(database_url=pg).reset_allowed is False
    assert Settings(database_url=pg, allow_reset=True).reset_allowed is True
    assert Settings().reset_allowed is True


def test_an_unknown_path_is_a_json_aws_error_not_a_page(endpoint):
    answer = requests.get(f"{endpoint}/no/such/thing", timeout=5)
    assert answer.status_code == 404
    assert answer.json()["__type"] == "UnknownOperationException"
    assert answer.headers["x-amzn-RequestId"]


def test_malformed_json_is_a_serialization_error_that_changes_nothing(endpoint):
    answer = requests.post(
        f"{endpoint}/2015-03-31/functions",
        data=b"{not json",
        headers={
            "Content-Type": "application/json",
            "Authorization": "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/lambda/"
            "aws4_request, SignedHeaders=host, Signature=00",
        },
        timeout=5,
    )
    assert answer.status_code == 400
    assert answer.headers["x-amzn-ErrorType"].startswith("SerializationException")
    assert client("lambda", endpoint).list_functions()["Functions"] == []


def test_an_oversized_body_is_413(tmp_path):
    lamina = LaminaServer(tmp_path / "data", {"LAMINA_MAX_BODY_BYTES": str(1024 * 1024)})
    lamina.start()
    try:
        answer = requests.post(
            f"{lamina.url}/2015-03-31/functions",
            data=b"x" * (1536 * 1024),
            headers={"Content-Type": "application/json"},
            timeout=60,
        )
        assert answer.status_code == 413
        assert answer.json()["__type"] == "RequestEntityTooLargeException"
    finally:
        lamina.stop()


def test_a_service_lamina_does_not_serve_says_so(endpoint):
    sns = client("sns", endpoint)
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as excinfo:
        sns.list_topics()
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert "does not serve" in excinfo.value.response["Error"]["Message"]
