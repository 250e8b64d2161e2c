"""Provisioned concurrency and the concurrency limits, through boto3, as on Lambda: the
provisioned environments come out of the function's reservation (PutFunctionConcurrency below
them is refused) or out of the account's unreserved pool; an invocation beyond them spills over
onto an on-demand environment (a cold start, Init Duration in its REPORT), held to what is left
of the reservation; the metrics count each kind; a provisioned environment's init output is in
the function's log stream once it is initialized."""

from __future__ import annotations

import base64
import datetime as dt
import json
from concurrent.futures import ThreadPoolExecutor

from botocore.exceptions import ClientError

from tests.conftest import client, log_events, make_zip, wait_for
from tests.services.lambda_.test_provisioned_concurrency import failure, published, ready

SLEEPER = make_zip(
    {
        "app.py": (
            "import os, time\n"
            "print('initializing the handler module')\n"
            "def handler(event, context):\n"
            "    time.sleep(event.get('sleep', 0))\n"
            "    return {'init': os.environ['AWS_LAMBDA_INITIALIZATION_TYPE']}\n"
        )
    }
)


def _invoke(lambda_client, qualifier: str, sleep: float) -> tuple[str, dict | str]:
    """('ok', (answer, log)) or (the throttle's Reason, '')."""
    try:
        answer = lambda_client.invoke(
            FunctionName="pc", Qualifier=qualifier, LogType="Tail",
            Payload=json.dumps({"sleep": sleep}).encode(),
        )  # fmt: skip
    except ClientError as error:
        return error.response.get("Reason") or error.response["Error"]["Code"], ""
    log = base64.b64decode(answer["LogResult"]).decode()
    return "ok", {"answer": json.loads(answer["Payload"].read()), "log": log}


def _together(endpoint: str, qualifier: str, count: int) -> list[tuple[str, dict | str]]:
    callers = [client("lambda", endpoint) for _ in range(count)]
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(lambda c: _invoke(c, qualifier, 1.5), callers))


def _sum(endpoint: str, metric: str, dimensions: dict[str, str], statistic: str = "Sum"):
    now = dt.datetime.now(dt.UTC)
    points = client("cloudwatch", endpoint).get_metric_statistics(
        Namespace="AWS/Lambda", MetricName=metric,
        Dimensions=[{"Name": k, "Value": v} for k, v in dimensions.items()],
        StartTime=now - dt.timedelta(minutes=10), EndTime=now + dt.timedelta(minutes=1),
        Period=3600, Statistics=[statistic],
    )["Datapoints"]  # fmt: skip
    return points[0][statistic] if points else None


def test_a_reservation_below_the_provisioned_concurrency_is_refused(lambda_client):
    version = published(lambda_client, code=SLEEPER)
    lambda_client.put_function_concurrency(FunctionName="pc", ReservedConcurrentExecutions=5)
    lambda_client.put_provisioned_concurrency_config(
        FunctionName="pc", Qualifier=version, ProvisionedConcurrentExecutions=3
    )
    code, status, message = failure(
        lambda_client.put_function_concurrency, FunctionName="pc", ReservedConcurrentExecutions=2
    )
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message == (
        " ReservedConcurrentExecutions  2 should not be lower than function's total "
        "provisioned concurrency [3]."
    )
    assert (
        lambda_client.get_function_concurrency(FunctionName="pc")["ReservedConcurrentExecutions"]
        == 5
    )
    # exactly the provisioned total is allowed
    lambda_client.put_function_concurrency(FunctionName="pc", ReservedConcurrentExecutions=3)


def test_provisioned_concurrency_without_a_reservation_leaves_the_unreserved_pool(lambda_client):
    before = lambda_client.get_account_settings()["AccountLimit"]
    version = published(lambda_client, code=SLEEPER)
    lambda_client.put_provisioned_concurrency_config(
        FunctionName="pc", Qualifier=version, ProvisionedConcurrentExecutions=2
    )
    after = lambda_client.get_account_settings()["AccountLimit"]
    assert after["UnreservedConcurrentExecutions"] == before["UnreservedConcurrentExecutions"] - 2
    assert after["ConcurrentExecutions"] == before["ConcurrentExecutions"]


def test_beyond_the_provisioned_ones_invocations_spill_over_and_are_counted(endpoint):
    lambda_client = client("lambda", endpoint)
    version = published(lambda_client, code=SLEEPER)
    lambda_client.put_provisioned_concurrency_config(
        FunctionName="pc", Qualifier=version, ProvisionedConcurrentExecutions=1
    )
    ready(lambda_client, "pc", version)
    outcomes = _together(endpoint, version, 2)
    assert [kind for kind, _ in outcomes] == ["ok", "ok"]
    runs = sorted((o for _, o in outcomes), key=lambda o: o["answer"]["init"])  # type: ignore[union-attr]
    on_demand, provisioned = runs
    assert on_demand["answer"] == {"init": "on-demand"}
    assert "Init Duration" in on_demand["log"]
    assert provisioned["answer"] == {"init": "provisioned-concurrency"}
    assert "Init Duration" not in provisioned["log"]
    resource = {"FunctionName": "pc", "Resource": f"pc:{version}"}
    assert _sum(endpoint, "ProvisionedConcurrencyInvocations", resource) == 1
    assert _sum(endpoint, "ProvisionedConcurrencySpilloverInvocations", resource) == 1
    assert _sum(endpoint, "ProvisionedConcurrencySpilloverInvocations", {"FunctionName": "pc"}) == 1
    # busy provisioned environments over the allocated ones: 1 of 1 at the most
    assert _sum(endpoint, "ProvisionedConcurrencyUtilization", resource, "Maximum") == 1.0
    assert _sum(endpoint, "ProvisionedConcurrentExecutions", resource, "Maximum") == 1


def test_the_provisioned_ones_come_out_of_the_reservation_at_invoke_time(endpoint):
    lambda_client = client("lambda", endpoint)
    version = published(lambda_client, code=SLEEPER)
    lambda_client.put_function_concurrency(FunctionName="pc", ReservedConcurrentExecutions=2)
    lambda_client.put_provisioned_concurrency_config(
        FunctionName="pc", Qualifier=version, ProvisionedConcurrentExecutions=1
    )
    ready(lambda_client, "pc", version)
    # Two of the reservation's slots: one provisioned, one on demand; the third is throttled,
    # the on-demand share (2 - 1) being in use.
    outcomes = _together(endpoint, version, 3)
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["ReservedFunctionConcurrentInvocationLimitExceeded", "ok", "ok"]
    inits = sorted(o["answer"]["init"] for kind, o in outcomes if kind == "ok")  # type: ignore[index]
    assert inits == ["on-demand", "provisioned-concurrency"]
    # $LATEST shares the on-demand part with the version's spillover: 1 at a time
    latest = _together(endpoint, "$LATEST", 2)
    assert sorted(kind for kind, _ in latest) == [
        "ReservedFunctionConcurrentInvocationLimitExceeded", "ok",
    ]  # fmt: skip


def test_a_provisioned_environments_init_output_is_in_the_function_log(lambda_client, endpoint):
    version = published(lambda_client, code=SLEEPER)
    lambda_client.put_provisioned_concurrency_config(
        FunctionName="pc", Qualifier=version, ProvisionedConcurrentExecutions=1
    )
    ready(lambda_client, "pc", version)
    logs = client("logs", endpoint)

    def init_line():
        events = log_events(logs, "/aws/lambda/pc")
        found = [e for e in events if "initializing the handler module" in e["message"]
                 and f"[{version}]" in e["logStreamName"]]  # fmt: skip
        return found or None

    assert len(wait_for(init_line)) == 1  # in that environment's stream, once
    # and it is not written again before the first invocation on that environment
    outcome, run = _invoke(lambda_client, version, 0)
    assert outcome == "ok"
    assert "initializing the handler module" not in run["log"]  # type: ignore[index]
