"""Versions and aliases where other operations name them, through boto3: queued invokes of an
alias (the destination record carries the alias's ARN and the version that ran), event invoke
configs per qualifier, event source mappings on an alias, and ListFunctions with
FunctionVersion ALL."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.conftest import client, error_of, wait_for
from tests.services.lambda_.versioning import ARN, create_saying, invoked, publish_saying


@pytest.fixture
def two_versions(lambda_client):
    create_saying(lambda_client, "zero")
    publish_saying(lambda_client, "one")
    publish_saying(lambda_client, "two")
    lambda_client.create_alias(FunctionName="fn", Name="live", FunctionVersion="2")
    return lambda_client


def test_a_queued_invoke_of_an_alias_records_the_version_that_ran(endpoint, two_versions):
    sqs = client("sqs", endpoint)
    url = sqs.create_queue(QueueName="records")["QueueUrl"]
    queue_arn = "arn:aws:sqs:us-east-1:000000000000:records"
    two_versions.put_function_event_invoke_config(
        FunctionName="fn", Qualifier="live",
        DestinationConfig={"OnSuccess": {"Destination": queue_arn}},
    )  # fmt: skip
    answer = two_versions.invoke(FunctionName=f"{ARN}:live", InvocationType="Event", Payload=b"{}")
    assert answer["StatusCode"] == 202

    def received():
        got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
        return got and json.loads(got[0]["Body"])

    record = wait_for(received, timeout=30)
    assert record["requestContext"]["functionArn"] == f"{ARN}:live"
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "2"}
    assert record["responsePayload"]["answer"] == "two"


def test_event_invoke_configs_are_per_qualifier(two_versions):
    c = two_versions
    c.put_function_event_invoke_config(FunctionName="fn", Qualifier="1", MaximumRetryAttempts=0)
    c.put_function_event_invoke_config(FunctionName="fn:live", MaximumRetryAttempts=1)
    one = c.get_function_event_invoke_config(FunctionName="fn", Qualifier="1")
    assert (one["FunctionArn"], one["MaximumRetryAttempts"]) == (f"{ARN}:1", 0)
    live = c.get_function_event_invoke_config(FunctionName="fn", Qualifier="live")
    assert (live["FunctionArn"], live["MaximumRetryAttempts"]) == (f"{ARN}:live", 1)
    with pytest.raises(ClientError) as excinfo:
        c.get_function_event_invoke_config(FunctionName="fn")
    assert error_of(excinfo)[:2] == ("ResourceNotFoundException", 404)
    with pytest.raises(ClientError) as excinfo:
        c.put_function_event_invoke_config(FunctionName="fn", Qualifier="9", MaximumRetryAttempts=0)
    assert error_of(excinfo) == (
        "ResourceNotFoundException", 404, "The function doesn't exist.",
    )  # fmt: skip
    c.delete_function(FunctionName="fn", Qualifier="1")  # its config goes with it
    with pytest.raises(ClientError):
        c.get_function_event_invoke_config(FunctionName="fn", Qualifier="1")


def test_an_event_source_mapping_on_an_alias_invokes_through_it(endpoint, two_versions):
    sqs = client("sqs", endpoint)
    url = sqs.create_queue(QueueName="work", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    mapping = two_versions.create_event_source_mapping(
        FunctionName=f"{ARN}:live",
        EventSourceArn="arn:aws:sqs:us-east-1:000000000000:work",
        BatchSize=1,
    )
    assert mapping["FunctionArn"] == f"{ARN}:live"
    sqs.send_message(QueueUrl=url, MessageBody="hello")
    # The message is deleted once the alias's version has processed it.
    wait_for(
        lambda: sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages",
                                          "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"] == {"ApproximateNumberOfMessages": "0",
                            "ApproximateNumberOfMessagesNotVisible": "0"},
        timeout=30,
    )  # fmt: skip
    with pytest.raises(ClientError) as excinfo:
        two_versions.create_event_source_mapping(
            FunctionName=f"{ARN}:nope", EventSourceArn="arn:aws:sqs:us-east-1:000000000000:work"
        )
    assert error_of(excinfo)[:2] == ("ResourceNotFoundException", 404)


def test_list_functions_with_every_version(two_versions):
    page = two_versions.list_functions(FunctionVersion="ALL", MaxItems=2)
    assert [f["FunctionArn"] for f in page["Functions"]] == [f"{ARN}:$LATEST", f"{ARN}:1"]
    rest = two_versions.list_functions(FunctionVersion="ALL", Marker=page["NextMarker"])
    assert [f["Version"] for f in rest["Functions"]] == ["2"]
    assert [f["FunctionArn"] for f in two_versions.list_functions()["Functions"]] == [ARN]
    assert invoked(two_versions, Qualifier="live")[1] == "2"
