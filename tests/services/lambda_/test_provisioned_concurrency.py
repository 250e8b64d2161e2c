"""Provisioned concurrency through boto3: configs on a published version or an alias (never
$LATEST), IN_PROGRESS then READY once the environments are initialized, FAILED with the reason
when init fails; invocations on them have no init (no Init Duration in the REPORT line) and see
AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency; the concurrency limits; DeleteFunction
of the version and DeleteAlias remove the config; a restart keeps it and provisions again."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from botocore.exceptions import ClientError

from tests.conftest import (
    ENGINES,
    client,
    create_function,
    error_of,
    make_zip,
    own_server,
    wait_for,
)

CODE = make_zip(
    {
        "app.py": (
            "import os\n"
            "def handler(event, context):\n"
            "    return {'init': os.environ['AWS_LAMBDA_INITIALIZATION_TYPE'],\n"
            "            'version': os.environ['AWS_LAMBDA_FUNCTION_VERSION']}\n"
        )
    }
)
BROKEN = make_zip({"app.py": "raise RuntimeError('no init for you')\n"})


def failure(call, **params) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    return error_of(excinfo)


def published(lambda_client, name: str = "pc", code: bytes = CODE) -> str:
    create_function(lambda_client, name, Handler="app.handler", Code={"ZipFile": code})
    wait_for(lambda: lambda_client.get_function(FunctionName=name)["Configuration"]["State"]
             == "Active")  # fmt: skip
    return lambda_client.publish_version(FunctionName=name)["Version"]


def ready(lambda_client, name: str, qualifier: str) -> dict:
    def status():
        config = lambda_client.get_provisioned_concurrency_config(
            FunctionName=name, Qualifier=qualifier
        )
        assert config["Status"] != "FAILED", config
        return config if config["Status"] == "READY" else None

    return wait_for(status, timeout=60)


def tail_invoke(lambda_client, name: str, qualifier: str) -> tuple[dict, str]:
    answer = lambda_client.invoke(FunctionName=name, Qualifier=qualifier, LogType="Tail")
    assert "FunctionError" not in answer
    log = base64.b64decode(answer["LogResult"]).decode()
    return json.loads(answer["Payload"].read()), log


def test_a_version_becomes_ready_and_its_first_invoke_has_no_init(lambda_client):
    version = published(lambda_client)
    put = lambda_client.put_provisioned_concurrency_config(
        FunctionName="pc", Qualifier=version, ProvisionedConcurrentExecutions=2
    )
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert put["Status"] == "IN_PROGRESS"
    assert put["RequestedProvisionedConcurrentExecutions"] == 2
    assert put["AllocatedProvisionedConcurrentExecutions"] == 0
    config = ready(lambda_client, "pc", version)
    assert config["AllocatedProvisionedConcurrentExecutions"] == 2
    assert config["AvailableProvisionedConcurrentExecutions"] == 2
    assert config["LastModified"] == put["LastModified"]
    answer, log = tail_invoke(lambda_client, "pc", version)
    assert answer == {"init": "provisioned-concurrency", "version": version}
    assert "REPORT RequestId" in log
    assert "Init Duration" not in log
    listed = lambda_client.list_provisioned_concurrency_configs(FunctionName="pc")
    (item,) = listed["ProvisionedConcurrencyConfigs"]
    assert item["FunctionArn"].endswith(f":function:pc:{version}")
    assert item["Status"] == "READY"
    # $LATEST is on demand still: its first invoke initializes.
    latest = lambda_client.invoke(FunctionName="pc", LogType="Tail")
    assert json.loads(latest["Payload"].read())["init"] == "on-demand"


def test_an_alias_gets_provisioned_and_deleting_it_removes_the_config(lambda_client):
    version = published(lambda_client)
    lambda_client.create_alias(FunctionName="pc", Name="live", FunctionVersion=version)
    lambda_client.put_provisioned_concurrency_config(
        FunctionName="pc", Qualifier="live", ProvisionedConcurrentExecutions=1
    )
    ready(lambda_client, "pc", "live")
    answer, log = tail_invoke(lambda_client, "pc", "live")
    assert answer["init"] == "provisioned-concurrency"
    assert "Init Duration" not in log
    # The version has provisioned concurrency through the alias: not also of its own.
    assert failure(
        lambda_client.put_provisioned_concurrency_config,
        FunctionName="pc", Qualifier=version, ProvisionedConcurrentExecutions=1,
    ) == ("ResourceConflictException", 409,
          "Version is pointed by a Provisioned Concurrency alias")  # fmt: skip
    lambda_client.delete_alias(FunctionName="pc", Name="live")
    lambda_client.create_alias(FunctionName="pc", Name="live", FunctionVersion=version)
    code, status, _ = failure(
        lambda_client.get_provisioned_concurrency_config, FunctionName="pc", Qualifier="live"
    )
    assert (code, status) == ("ProvisionedConcurrencyConfigNotFoundException", 404)


def test_deleting_the_version_removes_its_config(lambda_client):
    version = published(lambda_client)
    lambda_client.put_provisioned_concurrency_config(
        FunctionName="pc", Qualifier=version, ProvisionedConcurrentExecutions=1
    )
    lambda_client.delete_function(FunctionName="pc", Qualifier=version)
    listed = lambda_client.list_provisioned_concurrency_configs(FunctionName="pc")
    assert listed["ProvisionedConcurrencyConfigs"] == []


def test_latest_is_refused_and_a_missing_config_is_not_found(lambda_client):
    version = published(lambda_client)
    unpublished = (
        "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
    )
    assert failure(
        lambda_client.put_provisioned_concurrency_config,
        FunctionName="pc", Qualifier="$LATEST", ProvisionedConcurrentExecutions=1,
    ) == ("InvalidParameterValueException", 400, unpublished)  # fmt: skip
    lambda_client.create_alias(FunctionName="pc", Name="dev", FunctionVersion="$LATEST")
    code, _, _ = failure(
        lambda_client.put_provisioned_concurrency_config,
        FunctionName="pc", Qualifier="dev", ProvisionedConcurrentExecutions=1,
    )  # fmt: skip
    assert code == "InvalidParameterValueException"
    assert failure(
        lambda_client.get_provisioned_concurrency_config, FunctionName="pc", Qualifier=version
    ) == ("ProvisionedConcurrencyConfigNotFoundException", 404,
          "No Provisioned Concurrency Config found for this function")  # fmt: skip


def test_over_the_reservation_or_the_unreserved_pool_is_refused(lambda_client):
    version = published(lambda_client)
    lambda_client.put_function_concurrency(FunctionName="pc", ReservedConcurrentExecutions=3)
    code, status, message = failure(
        lambda_client.put_provisioned_concurrency_config,
        FunctionName="pc", Qualifier=version, ProvisionedConcurrentExecutions=4,
    )  # fmt: skip
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message == (
        "Requested Provisioned Concurrency should not be greater than the "
        "reservedConcurrentExecution for function"
    )
    lambda_client.delete_function_concurrency(FunctionName="pc")
    limit = lambda_client.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"]
    code, status, message = failure(
        lambda_client.put_provisioned_concurrency_config,
        FunctionName="pc", Qualifier=version, ProvisionedConcurrentExecutions=limit - 99,
    )  # fmt: skip
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "UnreservedConcurrentExecution below its minimum value of [100]" in message


def test_a_failing_init_fails_the_config_with_its_reason(lambda_client):
    version = published(lambda_client, "broken", BROKEN)
    lambda_client.put_provisioned_concurrency_config(
        FunctionName="broken", Qualifier=version, ProvisionedConcurrentExecutions=1
    )

    def failed():
        config = lambda_client.get_provisioned_concurrency_config(
            FunctionName="broken", Qualifier=version
        )
        return config if config["Status"] == "FAILED" else None

    config = wait_for(failed, timeout=60)
    assert "no init for you" in config["StatusReason"]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_restart_keeps_the_config_and_provisions_again(tmp_path, engine):
    with own_server(tmp_path / "data", engine, "lamina_pc_restart") as lamina:
        functions = client("lambda", lamina.url)
        version = published(functions)
        functions.put_provisioned_concurrency_config(
            FunctionName="pc", Qualifier=version, ProvisionedConcurrentExecutions=1
        )
        before = ready(functions, "pc", version)
        lamina.stop()
        lamina.start()
        config = ready(functions, "pc", version)
        assert config["LastModified"] == before["LastModified"]
        answer, log = tail_invoke(functions, "pc", version)
        assert answer["init"] == "provisioned-concurrency"
        assert "Init Duration" not in log


def _resource_sum(cloudwatch, name: str, resource: str, metric: str, statistic: str):
    now = dt.datetime.now(dt.UTC)
    points = cloudwatch.get_metric_statistics(
        Namespace="AWS/Lambda",
        MetricName=metric,
        Dimensions=[
            {"Name": "FunctionName", "Value": name},
            {"Name": "Resource", "Value": resource},
        ],
        StartTime=now - dt.timedelta(minutes=10),
        EndTime=now + dt.timedelta(minutes=1),
        Period=3600,
        Statistics=[statistic],
    )["Datapoints"]
    return points[0][statistic] if points else None


def test_invocations_on_provisioned_environments_are_measured(endpoint, lambda_client):
    version = published(lambda_client)
    lambda_client.put_provisioned_concurrency_config(
        FunctionName="pc", Qualifier=version, ProvisionedConcurrentExecutions=1
    )
    ready(lambda_client, "pc", version)
    tail_invoke(lambda_client, "pc", version)
    tail_invoke(lambda_client, "pc", version)
    cloudwatch = client("cloudwatch", endpoint)
    resource = f"pc:{version}"
    metric = "ProvisionedConcurrencyInvocations"
    assert _resource_sum(cloudwatch, "pc", resource, metric, "Sum") == 2
    assert _resource_sum(cloudwatch, "pc", resource, "ProvisionedConcurrentExecutions",
                         "Maximum") == 1  # fmt: skip
    assert _resource_sum(cloudwatch, "pc", resource, "ProvisionedConcurrencyUtilization",
                         "Maximum") == 1.0  # fmt: skip
    spilled = "ProvisionedConcurrencySpilloverInvocations"
    assert _resource_sum(cloudwatch, "pc", resource, spilled, "Sum") is None


def test_a_weighted_alias_splits_its_environments_between_its_versions(lambda_client):
    first = published(lambda_client)
    lambda_client.update_function_configuration(
        FunctionName="pc", Environment={"Variables": {"RELEASE": "second"}}
    )
    wait_for(lambda: lambda_client.get_function(FunctionName="pc")["Configuration"]
             ["LastUpdateStatus"] == "Successful")  # fmt: skip
    second = lambda_client.publish_version(FunctionName="pc")["Version"]
    lambda_client.create_alias(
        FunctionName="pc", Name="canary", FunctionVersion=first,
        RoutingConfig={"AdditionalVersionWeights": {second: 0.5}},
    )  # fmt: skip
    lambda_client.put_provisioned_concurrency_config(
        FunctionName="pc", Qualifier="canary", ProvisionedConcurrentExecutions=2
    )
    assert ready(lambda_client, "pc", "canary")["AllocatedProvisionedConcurrentExecutions"] == 2
    for version in (first, second):  # each version holds one of the two
        answer, log = tail_invoke(lambda_client, "pc", version)
        assert answer == {"init": "provisioned-concurrency", "version": version}
        assert "Init Duration" not in log
