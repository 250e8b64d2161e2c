"""Asynchronous invocations' records to SQS destinations, and dropped events to a function's
dead-letter queue, through boto3: a real queue, an Event invoke, the message received from the
queue. Shapes as AWS writes them (LocalStack's AWS-validated snapshots of
test_lambda_destinations: the record's fields, the dead-letter message's attributes)."""

from __future__ import annotations

import json

import pytest
import requests
from botocore.exceptions import ClientError

from tests.conftest import client, create_function, error_of, make_zip, wait_for
from tests.services.lambda_.asyncing import MARKING

CODE = {"ZipFile": make_zip({"handler.py": MARKING})}
ACCOUNT = "000000000000"


def _queue(endpoint: str, name: str) -> tuple[object, str, str]:
    """(sqs client, queue URL, queue ARN) of a new queue."""
    sqs = client("sqs", endpoint)
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return sqs, url, f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}"


def _receive(sqs, url: str, count: int = 1, timeout: float = 30) -> list[dict]:
    got: list[dict] = []

    def more() -> bool:
        answer = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
            MessageAttributeNames=["All"],
        )  # fmt: skip
        for message in answer.get("Messages", []):
            got.append(message)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return len(got) >= count

    wait_for(more, timeout=timeout)
    return got


def _event(lambda_client, name: str, payload: dict) -> str:
    answer = lambda_client.invoke(
        FunctionName=name, InvocationType="Event", Payload=json.dumps(payload).encode()
    )
    assert answer["StatusCode"] == 202
    return answer["ResponseMetadata"]["RequestId"]


def test_a_success_record_arrives_on_the_on_success_queue(endpoint, lambda_client):
    sqs, url, arn = _queue(endpoint, "succeeded")
    create_function(lambda_client, "good", Code=CODE)
    lambda_client.put_function_event_invoke_config(
        FunctionName="good", DestinationConfig={"OnSuccess": {"Destination": arn}}
    )
    request_id = _event(lambda_client, "good", {"n": 1})
    (message,) = _receive(sqs, url)
    record = json.loads(message["Body"])
    assert set(record) == {
        "version", "timestamp", "requestContext", "requestPayload", "responseContext",
        "responsePayload",
    }  # fmt: skip
    assert record["version"] == "1.0"
    assert record["timestamp"].endswith("Z")
    assert record["requestContext"] == {
        "requestId": request_id,
        "functionArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:good:$LATEST",
        "condition": "Success",
        "approximateInvokeCount": 1,
    }
    assert record["requestPayload"] == {"n": 1}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    assert record["responsePayload"]["ran"] == {"n": 1}


def test_a_failure_record_arrives_on_the_on_failure_queue(endpoint, lambda_client):
    sqs, url, arn = _queue(endpoint, "failed")
    create_function(lambda_client, "bad", Code=CODE)
    lambda_client.put_function_event_invoke_config(
        FunctionName="bad",
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": arn}},
    )
    request_id = _event(lambda_client, "bad", {"fail": True})
    (message,) = _receive(sqs, url)
    record = json.loads(message["Body"])
    assert record["requestContext"]["requestId"] == request_id
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 1
    assert record["requestPayload"] == {"fail": True}
    assert record["responseContext"] == {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    }
    assert record["responsePayload"]["errorMessage"] == "asked to fail"
    assert record["responsePayload"]["errorType"] == "ValueError"


def test_a_dropped_event_goes_to_the_dead_letter_queue_unchanged(endpoint, lambda_client):
    sqs, url, arn = _queue(endpoint, "dead-letters")
    create_function(lambda_client, "doomed", Code=CODE, DeadLetterConfig={"TargetArn": arn})
    shown = lambda_client.get_function_configuration(FunctionName="doomed")
    assert shown["DeadLetterConfig"] == {"TargetArn": arn}
    lambda_client.put_function_event_invoke_config(FunctionName="doomed", MaximumRetryAttempts=0)
    payload = {"fail": True, "order": 7}
    request_id = _event(lambda_client, "doomed", payload)
    (message,) = _receive(sqs, url)
    assert json.loads(message["Body"]) == payload
    assert message["MessageAttributes"] == {
        "RequestID": {"DataType": "String", "StringValue": request_id},
        "ErrorCode": {"DataType": "Number", "StringValue": "200"},
        "ErrorMessage": {"DataType": "String", "StringValue": "asked to fail"},
    }


def test_a_succeeding_event_sends_nothing_to_the_dead_letter_queue(endpoint, lambda_client):
    sqs, url, arn = _queue(endpoint, "quiet-letters")
    success, success_url, success_arn = _queue(endpoint, "quiet-successes")
    create_function(lambda_client, "fine", Code=CODE, DeadLetterConfig={"TargetArn": arn})
    lambda_client.put_function_event_invoke_config(
        FunctionName="fine", DestinationConfig={"OnSuccess": {"Destination": success_arn}}
    )
    _event(lambda_client, "fine", {"n": 2})
    _receive(success, success_url)  # the event is done
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)


def test_dead_letter_config_can_be_changed_and_removed(endpoint, lambda_client):
    _, _, arn = _queue(endpoint, "later-letters")
    create_function(lambda_client, "changing", Code=CODE)
    lambda_client.update_function_configuration(
        FunctionName="changing", DeadLetterConfig={"TargetArn": arn}
    )
    assert lambda_client.get_function_configuration(FunctionName="changing")[
        "DeadLetterConfig"
    ] == {"TargetArn": arn}
    lambda_client.update_function_configuration(
        FunctionName="changing", DeadLetterConfig={"TargetArn": ""}
    )
    assert "DeadLetterConfig" not in lambda_client.get_function_configuration(
        FunctionName="changing"
    )


def test_a_dead_letter_queue_that_is_not_there_is_refused_as_aws_words_it(lambda_client):
    missing = f"arn:aws:sqs:us-east-1:{ACCOUNT}:no-such-queue"
    with pytest.raises(ClientError) as caught:
        create_function(lambda_client, "orphan", DeadLetterConfig={"TargetArn": missing})
    assert error_of(caught) == (
        "InvalidParameterValueException",
        400,
        "The provided execution role does not have permissions to call SendMessage on SQS",
    )
    create_function(lambda_client, "orphan")
    with pytest.raises(ClientError) as caught:
        lambda_client.update_function_configuration(
            FunctionName="orphan", DeadLetterConfig={"TargetArn": missing}
        )
    assert error_of(caught)[0] == "InvalidParameterValueException"


def test_an_sns_dead_letter_queue_is_refused_as_not_supported_yet(lambda_client):
    topic = f"arn:aws:sns:us-east-1:{ACCOUNT}:alarms"
    with pytest.raises(ClientError) as caught:
        create_function(lambda_client, "snsy", DeadLetterConfig={"TargetArn": topic})
    code, status, message = error_of(caught)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "Lamina does not support Amazon SNS" in message


def test_a_destination_queue_that_is_not_there_is_refused_as_aws_words_it(lambda_client):
    create_function(lambda_client, "lonely", Code=CODE)
    missing = f"arn:aws:sqs:us-east-1:{ACCOUNT}:nowhere"
    with pytest.raises(ClientError) as caught:
        lambda_client.put_function_event_invoke_config(
            FunctionName="lonely", DestinationConfig={"OnFailure": {"Destination": missing}}
        )
    assert error_of(caught) == (
        "InvalidParameterValueException",
        400,
        "The function's execution role does not have permissions to call SendMessage on " + missing,
    )


def test_a_record_that_cannot_be_delivered_is_dropped_and_counted(endpoint, lambda_client):
    sqs, url, arn = _queue(endpoint, "short-lived")
    create_function(lambda_client, "unheard", Code=CODE)
    lambda_client.put_function_event_invoke_config(
        FunctionName="unheard", DestinationConfig={"OnSuccess": {"Destination": arn}}
    )
    sqs.delete_queue(QueueUrl=url)
    _event(lambda_client, "unheard", {"n": 3})
    _wait_for_count(endpoint, "lamina_lambda_destination_delivery_failures_total", "unheard")


def test_a_record_for_a_deleted_function_is_dropped_and_counted(endpoint, lambda_client):
    target = create_function(lambda_client, "gone", Code=CODE)["FunctionArn"]
    create_function(lambda_client, "caller", Code=CODE)
    lambda_client.put_function_event_invoke_config(
        FunctionName="caller", DestinationConfig={"OnSuccess": {"Destination": target}}
    )
    lambda_client.delete_function(FunctionName="gone")
    _event(lambda_client, "caller", {"n": 4})
    _wait_for_count(endpoint, "lamina_lambda_destination_delivery_failures_total", "caller")


def test_a_dead_letter_message_that_cannot_be_sent_is_dropped_and_counted(endpoint, lambda_client):
    sqs, url, arn = _queue(endpoint, "gone-letters")
    create_function(lambda_client, "unlucky", Code=CODE, DeadLetterConfig={"TargetArn": arn})
    lambda_client.put_function_event_invoke_config(FunctionName="unlucky", MaximumRetryAttempts=0)
    sqs.delete_queue(QueueUrl=url)
    _event(lambda_client, "unlucky", {"fail": True})
    _wait_for_count(endpoint, "lamina_lambda_dead_letter_errors_total", "unlucky")


def _wait_for_count(endpoint: str, metric: str, function: str) -> None:
    line = f'{metric}{{account="{ACCOUNT}",region="us-east-1",function_name="{function}"}} 1'

    def counted() -> bool:
        return line in requests.get(f"{endpoint}/_lamina/metrics", timeout=10).text.splitlines()

    wait_for(counted, timeout=30)


def test_a_destination_queue_in_another_region_is_refused(endpoint, lambda_client):
    _queue(endpoint, "far")
    create_function(lambda_client, "local", Code=CODE)
    elsewhere = f"arn:aws:sqs:eu-west-1:{ACCOUNT}:far"
    with pytest.raises(ClientError) as caught:
        lambda_client.put_function_event_invoke_config(
            FunctionName="local", DestinationConfig={"OnSuccess": {"Destination": elsewhere}}
        )
    assert error_of(caught) == (
        "InvalidParameterValueException",
        400,
        f"The destination ARN {elsewhere} is invalid.",
    )
