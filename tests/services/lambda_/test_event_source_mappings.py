"""Event source mappings' control plane, through boto3 against a live Lamina: what Create, Get,
Update, Delete and ListEventSourceMappings answer, their states, and the checks Lambda makes
(with AWS's messages, from AWS-recorded answers)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import client, create_function, error_of, wait_for

ACCOUNT = "000000000000"


@pytest.fixture
def sqs(endpoint):
    return client("sqs", endpoint)


@pytest.fixture
def queue(sqs) -> str:
    """A standard queue's ARN."""
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]


@pytest.fixture
def function(lambda_client) -> str:
    return create_function(lambda_client, "worker", Timeout=3)["FunctionArn"]


def _state(lambda_client, uuid: str, wanted: str) -> dict:
    return wait_for(
        lambda: (m := lambda_client.get_event_source_mapping(UUID=uuid))["State"] == wanted and m
    )


def test_create_answers_202_creating_and_the_mapping_becomes_enabled(
    lambda_client, queue, function
):
    created = lambda_client.create_event_source_mapping(EventSourceArn=queue, FunctionName="worker")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert created["State"] == "Creating"
    assert created["StateTransitionReason"] == "USER_INITIATED"
    assert created["BatchSize"] == 10  # SQS's default
    assert created["MaximumBatchingWindowInSeconds"] == 0
    assert created["FunctionResponseTypes"] == []
    assert created["EventSourceArn"] == queue
    assert created["FunctionArn"] == function
    uuid = created["UUID"]
    assert created["EventSourceMappingArn"] == (
        f"arn:aws:lambda:us-east-1:{ACCOUNT}:event-source-mapping:{uuid}"
    )
    assert "FilterCriteria" not in created
    enabled = _state(lambda_client, uuid, "Enabled")
    assert enabled["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert enabled["LastModified"] == created["LastModified"]


def test_a_mapping_created_disabled_is_disabled_and_enabling_it_passes_through_enabling(
    lambda_client, queue, function
):
    created = lambda_client.create_event_source_mapping(
        EventSourceArn=queue, FunctionName="worker", Enabled=False, BatchSize=1
    )
    assert created["State"] == "Disabled"
    updated = lambda_client.update_event_source_mapping(UUID=created["UUID"], Enabled=True)
    assert updated["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert updated["State"] == "Enabling"
    assert updated["BatchSize"] == 1
    _state(lambda_client, created["UUID"], "Enabled")
    disabling = lambda_client.update_event_source_mapping(UUID=created["UUID"], Enabled=False)
    assert disabling["State"] == "Disabling"
    _state(lambda_client, created["UUID"], "Disabled")


def test_update_changes_settings_in_state_updating(lambda_client, queue, function):
    created = lambda_client.create_event_source_mapping(EventSourceArn=queue, FunctionName="worker")
    uuid = created["UUID"]
    _state(lambda_client, uuid, "Enabled")
    updated = lambda_client.update_event_source_mapping(
        UUID=uuid,
        BatchSize=50,
        MaximumBatchingWindowInSeconds=2,
        FunctionResponseTypes=["ReportBatchItemFailures"],
        ScalingConfig={"MaximumConcurrency": 5},
    )
    assert updated["State"] == "Updating"
    assert (updated["BatchSize"], updated["MaximumBatchingWindowInSeconds"]) == (50, 2)
    assert updated["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert updated["ScalingConfig"] == {"MaximumConcurrency": 5}
    settled = _state(lambda_client, uuid, "Enabled")
    assert settled["BatchSize"] == 50
    assert settled["LastModified"] > created["LastModified"]


def test_delete_answers_deleting_and_the_mapping_then_is_gone(lambda_client, queue, function):
    uuid = lambda_client.create_event_source_mapping(EventSourceArn=queue, FunctionName="worker")[
        "UUID"
    ]
    deleted = lambda_client.delete_event_source_mapping(UUID=uuid)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert deleted["State"] == "Deleting"

    def gone() -> bool:
        try:
            lambda_client.get_event_source_mapping(UUID=uuid)
        except ClientError as error:
            return error.response["Error"]["Code"] == "ResourceNotFoundException"
        return False

    wait_for(gone)
    with pytest.raises(ClientError) as excinfo:
        lambda_client.delete_event_source_mapping(UUID=uuid)
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        404,
        "The resource you requested does not exist.",
    )


def test_get_of_an_unknown_uuid_is_404(lambda_client):
    with pytest.raises(ClientError) as excinfo:
        lambda_client.get_event_source_mapping(UUID="00000000-0000-0000-0000-000000000000")
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        404,
        "The resource you requested does not exist.",
    )


def test_a_second_mapping_of_the_same_queue_and_function_is_a_conflict(
    lambda_client, queue, function
):
    first = lambda_client.create_event_source_mapping(EventSourceArn=queue, FunctionName="worker")
    with pytest.raises(ClientError) as excinfo:
        lambda_client.create_event_source_mapping(EventSourceArn=queue, FunctionName=function)
    assert error_of(excinfo) == (
        "ResourceConflictException",
        409,
        f'An event source mapping with SQS arn (" {queue} ") and function (" worker ") already '
        f"exists. Please update or delete the existing mapping with UUID {first['UUID']}",
    )


def test_list_filters_by_function_in_any_spelling_and_by_source_and_pages(
    lambda_client, sqs, queue, function
):
    create_function(lambda_client, "other", Timeout=3)
    other_url = sqs.create_queue(QueueName="other")["QueueUrl"]
    other_queue = queue.replace(":jobs", ":other")
    assert sqs.get_queue_attributes(QueueUrl=other_url, AttributeNames=["QueueArn"])
    mine = {
        lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName="worker")["UUID"]
        for arn in (queue, other_queue)
    }
    theirs = lambda_client.create_event_source_mapping(EventSourceArn=queue, FunctionName="other")
    for name in ("worker", function, f"{ACCOUNT}:function:worker"):
        listed = lambda_client.list_event_source_mappings(FunctionName=name)
        assert {m["UUID"] for m in listed["EventSourceMappings"]} == mine, name
    by_source = lambda_client.list_event_source_mappings(EventSourceArn=other_queue)
    assert [m["EventSourceArn"] for m in by_source["EventSourceMappings"]] == [other_queue]
    pages, kwargs = [], {"MaxItems": 2}
    while True:
        page = lambda_client.list_event_source_mappings(**kwargs)
        pages.append([m["UUID"] for m in page["EventSourceMappings"]])
        if "NextMarker" not in page:
            break
        kwargs["Marker"] = page["NextMarker"]
    assert [len(p) for p in pages] == [2, 1]
    assert {u for p in pages for u in p} == mine | {theirs["UUID"]}


def test_a_missing_function_is_not_found(lambda_client, queue):
    with pytest.raises(ClientError) as excinfo:
        lambda_client.create_event_source_mapping(EventSourceArn=queue, FunctionName="nobody")
    code, status, _ = error_of(excinfo)
    assert (code, status) == ("ResourceNotFoundException", 404)


def test_a_missing_queue_is_refused_as_lambda_refuses_it(lambda_client, function):
    missing = f"arn:aws:sqs:us-east-1:{ACCOUNT}:nowhere"
    with pytest.raises(ClientError) as excinfo:
        lambda_client.create_event_source_mapping(EventSourceArn=missing, FunctionName="worker")
    code, status, message = error_of(excinfo)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "AWS.SimpleQueueService.NonExistentQueue" in message


def test_the_queue_must_hide_messages_as_long_as_the_function_may_run(lambda_client, sqs, queue):
    create_function(lambda_client, "slow", Timeout=60)
    with pytest.raises(ClientError) as excinfo:
        lambda_client.create_event_source_mapping(EventSourceArn=queue, FunctionName="slow")
    assert error_of(excinfo) == (
        "InvalidParameterValueException",
        400,
        "Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds",
    )
    url = sqs.get_queue_url(QueueName="jobs")["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "60"})
    created = lambda_client.create_event_source_mapping(EventSourceArn=queue, FunctionName="slow")
    assert created["State"] == "Creating"


def test_a_batch_over_10_needs_a_batching_window(lambda_client, queue, function):
    message = (
        "Maximum batch window in seconds must be greater than 0 if maximum batch size is "
        "greater than 10"
    )
    with pytest.raises(ClientError) as excinfo:
        lambda_client.create_event_source_mapping(
            EventSourceArn=queue, FunctionName="worker", BatchSize=11
        )
    assert error_of(excinfo) == ("InvalidParameterValueException", 400, message)
    uuid = lambda_client.create_event_source_mapping(
        EventSourceArn=queue,
        FunctionName="worker",
        BatchSize=10_000,
        MaximumBatchingWindowInSeconds=1,
    )["UUID"]
    with pytest.raises(ClientError) as excinfo:
        lambda_client.update_event_source_mapping(UUID=uuid, MaximumBatchingWindowInSeconds=0)
    assert error_of(excinfo) == ("InvalidParameterValueException", 400, message)


def test_a_fifo_queue_takes_no_window_and_at_most_10(lambda_client, sqs, function):
    url = sqs.create_queue(QueueName="ordered.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    for settings, message in (
        ({"MaximumBatchingWindowInSeconds": 1}, "Batching window is not supported for FIFO queues"),
        (
            {"BatchSize": 100, "MaximumBatchingWindowInSeconds": 5},
            "Batching window is not supported for FIFO queues",
        ),
        ({"BatchSize": 11}, "Maximum batch size must be between 1 and 10 inclusive"),
    ):
        with pytest.raises(ClientError) as excinfo:
            lambda_client.create_event_source_mapping(
                EventSourceArn=arn, FunctionName="worker", **settings
            )
        assert error_of(excinfo) == ("InvalidParameterValueException", 400, message), settings
    created = lambda_client.create_event_source_mapping(
        EventSourceArn=arn, FunctionName="worker", BatchSize=10
    )
    assert created["BatchSize"] == 10


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"StartingPosition": "LATEST"}, "StartingPosition is not valid for SQS event sources."),
        (
            {"ParallelizationFactor": 2},
            "Unsupported ParallelizationFactor parameter for given event source mapping type.",
        ),
        (
            {"BisectBatchOnFunctionError": True},
            "Unsupported BisectBatchOnFunctionError parameter for given event source mapping type.",
        ),
    ],
)
def test_stream_settings_are_refused_for_a_queue(lambda_client, queue, function, settings, message):
    with pytest.raises(ClientError) as excinfo:
        lambda_client.create_event_source_mapping(
            EventSourceArn=queue, FunctionName="worker", **settings
        )
    assert error_of(excinfo) == ("InvalidParameterValueException", 400, message)


@pytest.mark.parametrize(
    "arn, source",
    [
        ("arn:aws:kinesis:us-east-1:000000000000:stream/s", "Amazon Kinesis"),
        (
            "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2024-01-01T00:00:00.000",
            "Amazon DynamoDB Streams",
        ),
        ("arn:aws:kafka:us-east-1:000000000000:cluster/c/abc", "Amazon MSK"),
        ("arn:aws:mq:us-east-1:000000000000:broker:b:id", "Amazon MQ"),
    ],
)
def test_sources_lamina_does_not_poll_yet_are_refused_plainly(lambda_client, arn, source):
    create_function(lambda_client, "worker", Timeout=3)
    with pytest.raises(ClientError) as excinfo:
        lambda_client.create_event_source_mapping(
            EventSourceArn=arn, FunctionName="worker", StartingPosition="LATEST"
        )
    assert error_of(excinfo) == (
        "InvalidParameterValueException",
        400,
        f"Lamina does not support event source mappings for {source} yet.",
    )


@pytest.mark.parametrize("pattern", ["simple string", "{not json", '["a"]', ""])
def test_a_filter_that_is_no_json_object_is_an_invalid_pattern(
    lambda_client, queue, function, pattern
):
    with pytest.raises(ClientError) as excinfo:
        lambda_client.create_event_source_mapping(
            EventSourceArn=queue,
            FunctionName="worker",
            FilterCriteria={"Filters": [{"Pattern": pattern}]},
        )
    assert error_of(excinfo) == (
        "InvalidParameterValueException",
        400,
        "Invalid filter pattern definition.",
    )


def test_a_mapping_outlives_its_function(lambda_client, queue, function):
    uuid = lambda_client.create_event_source_mapping(EventSourceArn=queue, FunctionName="worker")[
        "UUID"
    ]
    lambda_client.delete_function(FunctionName="worker")
    assert lambda_client.get_event_source_mapping(UUID=uuid)["FunctionArn"] == function


def test_a_mapping_has_tags_of_its_own(lambda_client, queue, function):
    created = lambda_client.create_event_source_mapping(
        EventSourceArn=queue, FunctionName="worker", Tags={"team": "a"}
    )
    arn = created["EventSourceMappingArn"]
    assert lambda_client.list_tags(Resource=arn)["Tags"] == {"team": "a"}
    lambda_client.tag_resource(Resource=arn, Tags={"cost": "1"})
    lambda_client.untag_resource(Resource=arn, TagKeys=["team"])
    assert lambda_client.list_tags(Resource=arn)["Tags"] == {"cost": "1"}
    assert lambda_client.list_tags(Resource=function)["Tags"] == {}
    with pytest.raises(ClientError) as excinfo:
        lambda_client.list_tags(
            Resource=arn.replace(created["UUID"], "0" * 8 + created["UUID"][8:])
        )
    assert error_of(excinfo)[:2] == ("ResourceNotFoundException", 404)


def test_empty_filter_criteria_and_scaling_config_clear_them(lambda_client, queue, function):
    created = lambda_client.create_event_source_mapping(
        EventSourceArn=queue,
        FunctionName="worker",
        FilterCriteria={"Filters": [{"Pattern": '{"body": {"a": [1]}}'}]},
        ScalingConfig={"MaximumConcurrency": 3},
    )
    assert created["FilterCriteria"] == {"Filters": [{"Pattern": '{"body": {"a": [1]}}'}]}
    assert created["ScalingConfig"] == {"MaximumConcurrency": 3}
    _state(lambda_client, created["UUID"], "Enabled")
    updated = lambda_client.update_event_source_mapping(
        UUID=created["UUID"], FilterCriteria={}, ScalingConfig={}
    )
    assert "FilterCriteria" not in updated
    assert "ScalingConfig" not in updated
