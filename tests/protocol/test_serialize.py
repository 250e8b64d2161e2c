"""The serializer on real service models, for what the vectors leave out: which error shape an
error code names, the status and code each protocol puts on the wire, payloads that pass
through, and headers bound from a result. Each answer is read back by botocore's own parser."""

from __future__ import annotations

import datetime as dt

import cbor2

from lamina.protocol.errors import NotSupported, ServiceError
from lamina.protocol.models import load_service_model
from lamina.protocol.serialize import serialize_error, serialize_response
from tests.protocol.vectors import botocore_reads

RID = "req-1"


def _error(service_name: str, operation: str, error: ServiceError):
    service = load_service_model(service_name)
    op = service.operation_model(operation)
    response = serialize_error(service, op, error, request_id=RID)
    return response, botocore_reads(service, op, response)


def test_lambda_error_takes_its_status_from_the_model_and_keeps_its_fields() -> None:
    error = ServiceError("ResourceNotFoundException", "Function not found: x", Type="User")
    response, parsed = _error("lambda", "GetFunction", error)
    assert response.status == 404
    assert response.header("x-amzn-ErrorType") == "ResourceNotFoundException"
    assert parsed["Error"] == {
        "Code": "ResourceNotFoundException",
        "Message": "Function not found: x",
    }
    assert parsed["Type"] == "User"


def test_a_query_error_goes_on_the_wire_with_its_query_code() -> None:
    # SNS's NotFoundException shape answers with the code 'NotFound', status 404.
    for raised_as in ("NotFoundException", "NotFound"):
        response, parsed = _error("sns", "GetTopicAttributes", ServiceError(raised_as, "gone"))
        assert response.status == 404
        assert parsed["Error"]["Code"] == "NotFound"
        assert parsed["Error"]["Message"] == "gone"
        assert parsed["Error"]["Type"] == "Sender"


def test_s3_errors_are_a_bare_error_element_with_the_request_id() -> None:
    response, parsed = _error("s3", "GetObject", ServiceError("NoSuchKey", "The key is gone."))
    assert response.status == 404
    assert response.body.split(b"?>", 1)[1].lstrip().startswith(b"<Error>")
    assert parsed["Error"]["Code"] == "NoSuchKey"
    assert b"<RequestId>req-1</RequestId>" in response.body


def test_an_error_the_model_does_not_name_is_still_read_by_the_client() -> None:
    response, parsed = _error("lambda", "ListLayers", NotSupported("Lambda", "ListLayers"))
    assert response.status == 501
    assert parsed["Error"]["Code"] == "NotImplementedException"
    assert "ListLayers" in parsed["Error"]["Message"]


def test_a_receiver_fault_without_a_status_is_500() -> None:
    error = ServiceError("SomethingBroke", "oops", sender_fault=False)
    response, parsed = _error("dynamodb", "GetItem", error)
    assert response.status == 500
    assert parsed["Error"]["Code"] == "SomethingBroke"


def test_a_cbor_error_is_a_cbor_map_with_the_smithy_header() -> None:
    response, parsed = _error("cloudwatch", "GetMetricData", ServiceError("InvalidNextToken", "x"))
    assert response.header("smithy-protocol") == "rpc-v2-cbor"
    assert cbor2.loads(response.body)["__type"] == "InvalidNextToken"
    assert parsed["Error"]["Code"] == "InvalidNextToken"


def test_invoke_payload_passes_through_and_bound_members_become_status_and_headers() -> None:
    service = load_service_model("lambda")
    op = service.operation_model("Invoke")
    payload = b'{"errorMessage": "boom"}'
    result = {
        "StatusCode": 200,
        "FunctionError": "Unhandled",
        "ExecutedVersion": "$LATEST",
        "Payload": payload,
    }
    response = serialize_response(op, result, request_id=RID)
    assert response.body == payload  # byte for byte: Invoke payloads are not re-encoded
    assert response.status == 200
    assert response.header("X-Amz-Function-Error") == "Unhandled"
    assert response.header("X-Amz-Executed-Version") == "$LATEST"
    parsed = botocore_reads(service, op, response)
    assert parsed["FunctionError"] == "Unhandled"


def test_a_query_result_is_wrapped_and_carries_the_request_id() -> None:
    service = load_service_model("sns")
    op = service.operation_model("ListTopics")
    arn = "arn:aws:sns:us-east-1:000000000000:t"
    result = {"Topics": [{"TopicArn": arn}], "NextToken": "n"}
    response = serialize_response(op, result, request_id=RID)
    assert b"<ListTopicsResult>" in response.body
    assert b"<RequestId>req-1</RequestId>" in response.body
    assert botocore_reads(service, op, response) == result


def test_json_timestamps_are_epoch_seconds() -> None:
    service = load_service_model("dynamodb")  # json 1.0
    op = service.operation_model("DescribeTable")
    when = dt.datetime(2024, 5, 6, 7, 8, 9, 500000, tzinfo=dt.UTC)
    response = serialize_response(
        op, {"Table": {"TableName": "t", "CreationDateTime": when}}, request_id=RID
    )
    assert b'"CreationDateTime":1714979289.5' in response.body
    assert response.header("Content-Type") == "application/x-amz-json-1.0"
    assert botocore_reads(service, op, response)["Table"]["CreationDateTime"] == when


def test_unknown_result_keys_are_not_put_on_the_wire() -> None:
    service = load_service_model("logs")  # json 1.1
    op = service.operation_model("DescribeLogGroups")
    result = {"logGroups": [{"logGroupName": "g", "internalRowId": 7}]}
    response = serialize_response(op, result, request_id=RID)
    assert b"internalRowId" not in response.body
    assert botocore_reads(service, op, response) == {"logGroups": [{"logGroupName": "g"}]}
