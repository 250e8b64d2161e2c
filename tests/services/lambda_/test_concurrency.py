"""Concurrency limits through boto3: reserved concurrency and the account's limit, throttling
with Lambda's 429 and Reason, and slots given back however an invocation ends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError

from tests.conftest import client, create_function, error_of, make_zip, own_server
from tests.server import LaminaServer

SLEEPER = """import json, os, time
def handler(event, context):
    began = time.time()
    if event.get("exit"):
        os._exit(1)
    time.sleep(event.get("sleep", 0))
    return {"began": began, "ended": time.time()}
"""
CODE = {"ZipFile": make_zip({"handler.py": SLEEPER})}


def _invoke(lambda_client, name: str, payload: dict) -> tuple[str, dict]:
    """('ok', the function's answer) or (the error's Reason or code, the error)."""
    try:
        answer = lambda_client.invoke(FunctionName=name, Payload=json.dumps(payload).encode())
    except ClientError as error:
        return error.response.get("Reason") or error.response["Error"]["Code"], error.response
    return "ok", json.loads(answer["Payload"].read())


def _most_at_once(spans: list[dict]) -> int:
    edges = sorted([(s["began"], 1) for s in spans] + [(s["ended"], -1) for s in spans])
    running = most = 0
    for _, step in edges:
        running += step
        most = max(most, running)
    return most


def test_fifty_concurrent_invokes_with_reserved_five_run_five_and_throttle_the_rest(endpoint):
    lambda_client = client("lambda", endpoint)
    create_function(lambda_client, "narrow", Code=CODE, Timeout=30)
    lambda_client.put_function_concurrency(FunctionName="narrow", ReservedConcurrentExecutions=5)
    callers = [client("lambda", endpoint) for _ in range(50)]
    with ThreadPoolExecutor(50) as pool:
        outcomes = list(pool.map(lambda c: _invoke(c, "narrow", {"sleep": 3}), callers))
    ran = [answer for kind, answer in outcomes if kind == "ok"]
    throttled = [error for kind, error in outcomes if kind != "ok"]
    assert len(ran) == 5
    assert _most_at_once(ran) == 5
    assert len(throttled) == 45
    assert {kind for kind, _ in outcomes if kind != "ok"} == {
        "ReservedFunctionConcurrentInvocationLimitExceeded"
    }
    error = throttled[0]
    assert error["Error"]["Code"] == "TooManyRequestsException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
    # The slots are free again: the next invoke runs.
    assert _invoke(lambda_client, "narrow", {})[0] == "ok"


def test_reserved_concurrency_zero_throttles_every_invoke(lambda_client):
    create_function(lambda_client, "off", Code=CODE)
    lambda_client.put_function_concurrency(FunctionName="off", ReservedConcurrentExecutions=0)
    with pytest.raises(ClientError) as caught:
        lambda_client.invoke(FunctionName="off", Payload=b"{}")
    code, status, message = error_of(caught)
    assert (code, status) == ("TooManyRequestsException", 429)
    assert message == "Rate Exceeded."
    assert caught.value.response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    lambda_client.delete_function_concurrency(FunctionName="off")
    assert _invoke(lambda_client, "off", {})[0] == "ok"


def test_a_crashed_environment_gives_its_slot_back(lambda_client):
    create_function(lambda_client, "crashy", Code=CODE)
    lambda_client.put_function_concurrency(FunctionName="crashy", ReservedConcurrentExecutions=1)
    answer = lambda_client.invoke(FunctionName="crashy", Payload=b'{"exit": true}')
    assert answer["FunctionError"] == "Unhandled"
    assert _invoke(lambda_client, "crashy", {})[0] == "ok"


def test_a_timed_out_invocation_gives_its_slot_back(lambda_client):
    create_function(lambda_client, "slowpoke", Code=CODE, Timeout=1)
    lambda_client.put_function_concurrency(FunctionName="slowpoke", ReservedConcurrentExecutions=1)
    answer = lambda_client.invoke(FunctionName="slowpoke", Payload=b'{"sleep": 5}')
    assert answer["FunctionError"] == "Unhandled"
    assert _invoke(lambda_client, "slowpoke", {})[0] == "ok"


def test_account_settings_report_the_unreserved_pool(lambda_client):
    create_function(lambda_client, "reserving", Code=CODE)
    before = lambda_client.get_account_settings()["AccountLimit"]
    assert before["ConcurrentExecutions"] == 1000
    assert before["UnreservedConcurrentExecutions"] == 1000
    lambda_client.put_function_concurrency(
        FunctionName="reserving", ReservedConcurrentExecutions=200
    )
    after = lambda_client.get_account_settings()["AccountLimit"]
    assert after["UnreservedConcurrentExecutions"] == 800


@pytest.fixture(scope="module")
def small_account(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LaminaServer]:
    env = {"LAMINA_ACCOUNT_CONCURRENCY": "3"}
    data = tmp_path_factory.mktemp("small-account")
    with own_server(data, engine, "lamina_small_account", env) as lamina:
        yield lamina


def test_the_account_limit_throttles_functions_without_a_reservation(small_account):
    lambda_client = client("lambda", small_account.url)
    limit = lambda_client.get_account_settings()["AccountLimit"]
    assert (limit["ConcurrentExecutions"], limit["UnreservedConcurrentExecutions"]) == (3, 3)
    create_function(lambda_client, "a", Code=CODE)
    create_function(lambda_client, "b", Code=CODE)
    callers = [client("lambda", small_account.url) for _ in range(6)]
    names = ["a", "b"] * 3
    with ThreadPoolExecutor(6) as pool:
        outcomes = list(pool.map(lambda c, n: _invoke(c, n, {"sleep": 2}), callers, names))
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["ConcurrentInvocationLimitExceeded"] * 3 + ["ok"] * 3


def test_a_reservation_may_not_leave_the_account_under_100_unreserved(small_account):
    lambda_client = client("lambda", small_account.url)
    create_function(lambda_client, "greedy", Code=CODE)
    with pytest.raises(ClientError) as caught:
        lambda_client.put_function_concurrency(
            FunctionName="greedy", ReservedConcurrentExecutions=1
        )
    code, status, message = error_of(caught)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "below its minimum value of [100]" in message
