"""Asynchronous invocation through boto3: Event and InvokeAsync, retries and their timing,
event age, throttled events, destinations."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from itertools import pairwise

import pytest
from botocore.exceptions import ClientError

from tests.conftest import client, create_function, error_of, make_zip, own_server, wait_for
from tests.server import LaminaServer
from tests.services.lambda_.asyncing import MARKING, marks

CODE = {"ZipFile": make_zip({"handler.py": MARKING})}


def _event(lambda_client, name: str, payload: dict) -> dict:
    return lambda_client.invoke(
        FunctionName=name, InvocationType="Event", Payload=json.dumps(payload).encode()
    )


# -- accepting events (the session's server: retries at Lambda's own delays) -------------------


def test_event_answers_202_and_the_function_runs_with_the_payload(endpoint, lambda_client):
    create_function(lambda_client, "worker", Code=CODE)
    answer = _event(lambda_client, "worker", {"n": 1})
    assert answer["StatusCode"] == 202
    assert answer["Payload"].read() == b""
    logs = client("logs", endpoint)
    ran = wait_for(lambda: marks(logs, "worker"))
    assert ran[0]["event"] == {"n": 1}
    assert ran[0]["rid"] == answer["ResponseMetadata"]["RequestId"]


def test_invoke_async_answers_202_and_the_function_runs(endpoint, lambda_client):
    create_function(lambda_client, "older", Code=CODE)
    answer = lambda_client.invoke_async(FunctionName="older", InvokeArgs=b'{"legacy": true}')
    assert answer["Status"] == 202
    ran = wait_for(lambda: marks(client("logs", endpoint), "older"))
    assert [mark["event"] for mark in ran] == [{"legacy": True}]


def test_event_payload_over_1_mb_is_refused_with_413(lambda_client):
    create_function(lambda_client, "big", Code=CODE)
    payload = json.dumps({"pad": "x" * (1024 * 1024)}).encode()
    with pytest.raises(ClientError) as caught:
        lambda_client.invoke(FunctionName="big", InvocationType="Event", Payload=payload)
    code, status, message = error_of(caught)
    assert (code, status) == ("RequestEntityTooLargeException", 413)
    assert "1048576 bytes" in message


def test_invoke_async_keeps_its_256_kb_limit(lambda_client):
    create_function(lambda_client, "big-old", Code=CODE)
    payload = json.dumps({"pad": "x" * (256 * 1024)}).encode()
    with pytest.raises(ClientError) as caught:
        lambda_client.invoke_async(FunctionName="big-old", InvokeArgs=payload)
    assert error_of(caught)[:2] == ("RequestEntityTooLargeException", 413)


def test_event_that_is_not_json_is_refused(lambda_client):
    create_function(lambda_client, "strict", Code=CODE)
    with pytest.raises(ClientError) as caught:
        lambda_client.invoke(FunctionName="strict", InvocationType="Event", Payload=b"{nope")
    assert error_of(caught)[:2] == ("InvalidRequestContentException", 400)


def test_event_for_a_missing_function_is_refused_with_404(lambda_client):
    with pytest.raises(ClientError) as caught:
        lambda_client.invoke(FunctionName="ghost", InvocationType="Event", Payload=b"{}")
    assert error_of(caught)[:2] == ("ResourceNotFoundException", 404)


def test_throttled_events_wait_for_a_slot_instead_of_failing(endpoint, lambda_client):
    create_function(lambda_client, "one-at-a-time", Code=CODE)
    lambda_client.put_function_concurrency(
        FunctionName="one-at-a-time", ReservedConcurrentExecutions=1
    )
    for n in range(4):
        _event(lambda_client, "one-at-a-time", {"n": n, "sleep": 0.3})
    logs = client("logs", endpoint)
    ran = wait_for(lambda: (found := marks(logs, "one-at-a-time")) and len(found) == 4 and found)
    assert sorted(mark["event"]["n"] for mark in ran) == [0, 1, 2, 3]
    starts = [mark["t"] for mark in ran]
    # One at a time: each began after the one before had slept its 0.3 s.
    assert all(later - earlier >= 0.28 for earlier, later in pairwise(starts))


def test_events_of_a_function_reserved_at_zero_wait_until_it_may_run(endpoint, lambda_client):
    create_function(lambda_client, "paused", Code=CODE)
    lambda_client.put_function_concurrency(FunctionName="paused", ReservedConcurrentExecutions=0)
    _event(lambda_client, "paused", {"n": "held"})
    logs = client("logs", endpoint)
    time.sleep(1.5)
    assert marks(logs, "paused") == []
    lambda_client.delete_function_concurrency(FunctionName="paused")
    ran = wait_for(lambda: marks(logs, "paused"))
    assert ran[0]["event"] == {"n": "held"}


# -- retries (a server of its own, with short delays) ----------------------------------------


@pytest.fixture(scope="module")
def fast(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LaminaServer]:
    env = {"LAMINA_ASYNC_RETRY_DELAYS": "1,2"}
    with own_server(tmp_path_factory.mktemp("fast"), engine, "lamina_async_retries", env) as lamina:
        yield lamina


def test_a_failing_event_runs_three_times_after_the_configured_delays(fast):
    functions, logs = client("lambda", fast.url), client("logs", fast.url)
    create_function(functions, "flaky", Code=CODE)
    answer = _event(functions, "flaky", {"fail": True})
    ran = wait_for(lambda: (found := marks(logs, "flaky")) and len(found) == 3 and found)
    # The same request each time, as Lambda retries it.
    assert {mark["rid"] for mark in ran} == {answer["ResponseMetadata"]["RequestId"]}
    first, second, third = (mark["t"] for mark in ran)
    assert 0.9 <= second - first <= 2.5
    assert 1.9 <= third - second <= 3.5
    time.sleep(3)  # no fourth attempt: two retries is Lambda's default
    assert len(marks(logs, "flaky")) == 3


def test_maximum_retry_attempts_zero_runs_a_failing_event_once(fast):
    functions, logs = client("lambda", fast.url), client("logs", fast.url)
    create_function(functions, "once", Code=CODE)
    functions.put_function_event_invoke_config(FunctionName="once", MaximumRetryAttempts=0)
    _event(functions, "once", {"fail": True})
    wait_for(lambda: marks(logs, "once"))
    time.sleep(2.5)  # a retry would have come after 1 s
    assert len(marks(logs, "once")) == 1


def test_a_succeeding_event_is_not_run_again(fast):
    functions, logs = client("lambda", fast.url), client("logs", fast.url)
    create_function(functions, "fine", Code=CODE)
    _event(functions, "fine", {"ok": 1})
    wait_for(lambda: marks(logs, "fine"))
    time.sleep(2)
    assert len(marks(logs, "fine")) == 1


def test_on_success_destination_gets_the_invocation_record(fast):
    functions, logs = client("lambda", fast.url), client("logs", fast.url)
    target = create_function(functions, "on-success", Code=CODE)["FunctionArn"]
    create_function(functions, "source", Code=CODE)
    functions.put_function_event_invoke_config(
        FunctionName="source", DestinationConfig={"OnSuccess": {"Destination": target}}
    )
    answer = _event(functions, "source", {"hello": "world"})
    record = wait_for(lambda: marks(logs, "on-success"))[0]["event"]
    context = record["requestContext"]
    assert context["requestId"] == answer["ResponseMetadata"]["RequestId"]
    assert context["condition"] == "Success"
    assert context["functionArn"].endswith(":function:source:$LATEST")
    assert context["approximateInvokeCount"] == 1
    assert record["requestPayload"] == {"hello": "world"}
    assert record["responsePayload"]["ran"] == {"hello": "world"}
    assert record["responseContext"]["statusCode"] == 200


def test_on_failure_destination_gets_the_record_when_retries_run_out(fast):
    functions, logs = client("lambda", fast.url), client("logs", fast.url)
    target = create_function(functions, "on-failure", Code=CODE)["FunctionArn"]
    create_function(functions, "doomed", Code=CODE)
    functions.put_function_event_invoke_config(
        FunctionName="doomed",
        MaximumRetryAttempts=1,
        DestinationConfig={"OnFailure": {"Destination": target}},
    )
    _event(functions, "doomed", {"fail": True})
    record = wait_for(lambda: marks(logs, "on-failure"), timeout=30)[0]["event"]
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert record["responsePayload"]["errorType"] == "ValueError"
    assert len(marks(logs, "doomed")) == 2


@pytest.fixture(scope="module")
def slow(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LaminaServer]:
    """Retries after 1 s and then 120 s: a second retry would outlive a 60 s maximum age."""
    env = {"LAMINA_ASYNC_RETRY_DELAYS": "1,120"}
    with own_server(tmp_path_factory.mktemp("slow"), engine, "lamina_async_age", env) as lamina:
        yield lamina


def test_an_event_past_its_maximum_age_is_dropped_to_on_failure(slow):
    functions, logs = client("lambda", slow.url), client("logs", slow.url)
    target = create_function(functions, "too-late", Code=CODE)["FunctionArn"]
    create_function(functions, "aging", Code=CODE)
    functions.put_function_event_invoke_config(
        FunctionName="aging",
        MaximumEventAgeInSeconds=60,
        DestinationConfig={"OnFailure": {"Destination": target}},
    )
    _event(functions, "aging", {"fail": True})
    record = wait_for(lambda: marks(logs, "too-late"), timeout=30)[0]["event"]
    assert record["requestContext"]["condition"] == "EventAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert len(marks(logs, "aging")) == 2
