"""Operation routing and protocol detection against the real botocore models."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from typing import Any

import cbor2
import pytest
from botocore.model import OperationModel, Shape
from botocore.serialize import create_serializer
from botocore.utils import percent_encode_sequence

from lamina.protocol.errors import SerializationError, ServiceError, UnknownOperation
from lamina.protocol.http import Headers, HttpRequest
from lamina.protocol.models import load_service_model
from lamina.protocol.parse import parse_request
from lamina.protocol.routing import OperationRouter, detect_protocol

ROUTERS: dict[str, OperationRouter] = {}


def router(service: str) -> OperationRouter:
    if service not in ROUTERS:
        ROUTERS[service] = OperationRouter(load_service_model(service))
    return ROUTERS[service]


def request(
    method: str, uri: str, headers: dict[str, str] | None = None, body: bytes = b""
) -> HttpRequest:
    path, _, query = uri.partition("?")
    return HttpRequest(method, path, query, Headers(headers or {}), body)


def route(service: str, req: HttpRequest) -> tuple[str, str]:
    operation, protocol = router(service).match(req)
    return operation.name, protocol


# --- lambda (rest-json) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "uri", "expected"),
    [
        ("GET", "/2015-03-31/functions/", "ListFunctions"),
        ("GET", "/2015-03-31/functions", "ListFunctions"),
        ("POST", "/2015-03-31/functions", "CreateFunction"),
        ("GET", "/2015-03-31/functions/my-fn", "GetFunction"),
        ("DELETE", "/2015-03-31/functions/my-fn", "DeleteFunction"),
        ("GET", "/2015-03-31/functions/my-fn/configuration", "GetFunctionConfiguration"),
        ("PUT", "/2015-03-31/functions/my-fn/configuration", "UpdateFunctionConfiguration"),
        ("POST", "/2015-03-31/functions/my-fn/invocations", "Invoke"),
        ("GET", "/2018-10-31/layers?find=LayerVersion&Arn=x", "GetLayerVersionByArn"),
    ],
)
def test_lambda_routes(method: str, uri: str, expected: str) -> None:
    assert route("lambda", request(method, uri)) == (expected, "rest-json")


def test_lambda_labels_are_decoded() -> None:
    arn = "arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Amy-fn"
    req = request("GET", f"/2015-03-31/functions/{arn}?Qualifier=prod")
    operation, protocol = router("lambda").match(req)
    params = parse_request(operation, req, protocol)
    assert params == {
        "FunctionName": "arn:aws:lambda:us-east-1:000000000000:function:my-fn",
        "Qualifier": "prod",
    }


def test_lambda_invoke_payload_is_raw_bytes() -> None:
    body = b'{"hello": "world"}'
    headers = {"X-Amz-Invocation-Type": "Event", "X-Amz-Client-Context": "eyJhIjoxfQ=="}
    req = request("POST", "/2015-03-31/functions/my-fn/invocations", headers, body)
    operation, protocol = router("lambda").match(req)
    assert parse_request(operation, req, protocol) == {
        "FunctionName": "my-fn",
        "InvocationType": "Event",
        "ClientContext": "eyJhIjoxfQ==",
        "Payload": body,
    }


def test_rest_unknown_path_is_404() -> None:
    with pytest.raises(UnknownOperation) as caught:
        router("lambda").match(request("GET", "/2015-03-31/nothing-here"))
    assert (caught.value.code, caught.value.status) == ("UnknownOperationException", 404)


# --- s3 (rest-xml) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "uri", "headers", "expected"),
    [
        ("GET", "/", {}, "ListBuckets"),
        ("GET", "/bucket", {}, "ListObjects"),
        ("GET", "/bucket/", {}, "ListObjects"),
        ("GET", "/bucket?acl", {}, "GetBucketAcl"),
        ("GET", "/bucket?acl=", {}, "GetBucketAcl"),
        ("GET", "/bucket?list-type=2&prefix=a", {}, "ListObjectsV2"),
        ("GET", "/bucket?list-type=3", {}, "ListObjects"),
        ("GET", "/bucket?versioning", {}, "GetBucketVersioning"),
        ("PUT", "/bucket", {}, "CreateBucket"),
        ("HEAD", "/bucket", {}, "HeadBucket"),
        ("GET", "/bucket/key", {}, "GetObject"),
        ("GET", "/bucket/key?uploadId=u1", {}, "ListParts"),
        ("GET", "/bucket/key?acl", {}, "GetObjectAcl"),
        ("PUT", "/bucket/key", {}, "PutObject"),
        ("PUT", "/bucket/key", {"x-amz-copy-source": "src/k"}, "CopyObject"),
        ("PUT", "/bucket/key?partNumber=1&uploadId=u1", {}, "UploadPart"),
        (
            "PUT",
            "/bucket/key?partNumber=1&uploadId=u1",
            {"x-amz-copy-source": "src/k"},
            "UploadPartCopy",
        ),
        ("POST", "/bucket/key?uploads", {}, "CreateMultipartUpload"),
        ("POST", "/bucket/key?uploadId=u1", {}, "CompleteMultipartUpload"),
        ("DELETE", "/bucket/key", {}, "DeleteObject"),
        ("DELETE", "/bucket/key?uploadId=u1", {}, "AbortMultipartUpload"),
        ("POST", "/bucket?delete", {}, "DeleteObjects"),
        ("GET", "/bucket?analytics&id=a1", {}, "GetBucketAnalyticsConfiguration"),
        ("GET", "/bucket?analytics", {}, "ListBucketAnalyticsConfigurations"),
        ("GET", "/bucket?lifecycle", {}, "GetBucketLifecycleConfiguration"),
    ],
)
def test_s3_routes(method: str, uri: str, headers: dict[str, str], expected: str) -> None:
    assert route("s3", request(method, uri, headers)) == (expected, "rest-xml")


def test_s3_greedy_key_keeps_its_slashes() -> None:
    req = request("GET", "/bucket/key/with/slashes%3F.txt")
    operation, protocol = router("s3").match(req)
    assert operation.name == "GetObject"
    assert parse_request(operation, req, protocol) == {
        "Bucket": "bucket",
        "Key": "key/with/slashes?.txt",
    }


def test_s3_put_object_body_and_metadata() -> None:
    headers = {"Content-Type": "text/plain", "x-amz-meta-Color": "blue", "Content-Length": "5"}
    req = request("PUT", "/bucket/a/b.txt", headers, b"hello")
    operation, protocol = router("s3").match(req)
    params = parse_request(operation, req, protocol)
    assert params["Body"] == b"hello"
    assert params["Metadata"] == {"Color": "blue"}
    assert params["ContentType"] == "text/plain"
    assert params["ContentLength"] == 5


def test_s3_content_encoding_belongs_to_the_object() -> None:
    # S3 stores a gzip body as sent: Content-Encoding describes the object, not the request.
    body = gzip.compress(b"hello")
    req = request("PUT", "/bucket/k", {"Content-Encoding": "gzip"}, body)
    operation, protocol = router("s3").match(req)
    params = parse_request(operation, req, protocol)
    assert params["Body"] == body
    assert params["ContentEncoding"] == "gzip"


def test_s3_xml_body() -> None:
    body = (
        b'<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>'
        b"<Tag><Key>k1</Key><Value>v1</Value></Tag><Tag><Key>k2</Key><Value></Value></Tag>"
        b"</TagSet></Tagging>"
    )
    req = request("PUT", "/bucket?tagging", {}, body)
    operation, protocol = router("s3").match(req)
    assert operation.name == "PutBucketTagging"
    assert parse_request(operation, req, protocol) == {
        "Bucket": "bucket",
        "Tagging": {"TagSet": [{"Key": "k1", "Value": "v1"}, {"Key": "k2", "Value": ""}]},
    }


def test_s3_malformed_xml() -> None:
    req = request("PUT", "/bucket?tagging", {}, b"<Tagging><TagSet>")
    operation, protocol = router("s3").match(req)
    with pytest.raises(ServiceError) as caught:
        parse_request(operation, req, protocol)
    assert (caught.value.code, caught.value.status) == ("MalformedXML", 400)


# --- sqs, dynamodb (json) -------------------------------------------------------------------


def test_sqs_json_target() -> None:
    body = json.dumps({"QueueUrl": "http://q", "MessageBody": "hi", "DelaySeconds": 5}).encode()
    headers = {
        "X-Amz-Target": "AmazonSQS.SendMessage",
        "Content-Type": "application/x-amz-json-1.0",
    }
    req = request("POST", "/", headers, body)
    operation, protocol = router("sqs").match(req)
    assert (operation.name, protocol) == ("SendMessage", "json")
    assert parse_request(operation, req, protocol) == {
        "QueueUrl": "http://q",
        "MessageBody": "hi",
        "DelaySeconds": 5,
    }


def test_dynamodb_json_1_0() -> None:
    body = json.dumps({"TableName": "t", "Key": {"id": {"S": "1"}, "n": {"N": "2"}}}).encode()
    headers = {"X-Amz-Target": "DynamoDB_20120810.GetItem"}
    req = request("POST", "/", headers, body)
    operation, protocol = router("dynamodb").match(req)
    assert (operation.name, protocol) == ("GetItem", "json")
    assert parse_request(operation, req, protocol) == {
        "TableName": "t",
        "Key": {"id": {"S": "1"}, "n": {"N": "2"}},
    }


@pytest.mark.parametrize("target", ["DynamoDB_20120810.NoSuchThing", "Other.GetItem", ""])
def test_json_unknown_target(target: str) -> None:
    with pytest.raises(UnknownOperation) as caught:
        router("dynamodb").match(request("POST", "/", {"X-Amz-Target": target}, b"{}"))
    assert (caught.value.code, caught.value.status) == ("UnknownOperationException", 400)


@pytest.mark.parametrize(
    "body",
    [b"{", b"[1]", b'{"TableName": 5}', b'{"Limit": "ten"}', b"\xff", b'{"Limit": true}'],
)
def test_json_malformed_bodies(body: bytes) -> None:
    req = request("POST", "/", {"X-Amz-Target": "DynamoDB_20120810.Scan"}, body)
    operation, protocol = router("dynamodb").match(req)
    with pytest.raises(SerializationError) as caught:
        parse_request(operation, req, protocol)
    assert (caught.value.code, caught.value.status) == ("SerializationException", 400)


# --- sns (query) ----------------------------------------------------------------------------


def test_sns_query_form() -> None:
    body = (
        b"Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A0%3At"
        b"&Message=hello+world&MessageAttributes.entry.1.Name=a"
        b"&MessageAttributes.entry.1.Value.DataType=String"
        b"&MessageAttributes.entry.1.Value.StringValue=x"
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    req = request("POST", "/", headers, body)
    operation, protocol = router("sns").match(req)
    assert (operation.name, protocol) == ("Publish", "query")
    assert parse_request(operation, req, protocol) == {
        "TopicArn": "arn:aws:sns:us-east-1:0:t",
        "Message": "hello world",
        "MessageAttributes": {"a": {"DataType": "String", "StringValue": "x"}},
    }


def test_query_action_in_url() -> None:
    req = request("GET", "/?Action=ListTopics&Version=2010-03-31&NextToken=n")
    operation, protocol = router("sns").match(req)
    assert (operation.name, protocol) == ("ListTopics", "query")
    assert parse_request(operation, req, protocol) == {"NextToken": "n"}


def test_query_unknown_and_missing_action() -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    with pytest.raises(UnknownOperation) as caught:
        router("sns").match(request("POST", "/", form, b"Action=Nope&Version=2010-03-31"))
    assert (caught.value.code, caught.value.status) == ("InvalidAction", 400)
    assert caught.value.message == "The action Nope is not valid for this web service."
    with pytest.raises(UnknownOperation) as missing:
        router("sns").match(request("POST", "/", form, b"Version=2010-03-31"))
    assert (missing.value.code, missing.value.status) == ("MissingAction", 400)


def test_query_bad_value() -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    body = b"Action=ListTopics&Version=2010-03-31&Bogus=1&NextToken=n"
    req = request("POST", "/", form, body)
    operation, protocol = router("sns").match(req)
    # Fields the model does not know are ignored.
    assert parse_request(operation, req, protocol) == {"NextToken": "n"}
    cw = request("POST", "/", form, b"Action=GetMetricData&EndTime=yesterday")
    operation, protocol = router("cloudwatch").match(cw)
    with pytest.raises(ServiceError) as caught:
        parse_request(operation, cw, protocol)
    assert (caught.value.code, caught.value.status) == ("InvalidParameterValue", 400)


# --- cloudwatch: cbor, json and query -------------------------------------------------------

CW = "GraniteServiceVersion20100801"


def test_cloudwatch_cbor() -> None:
    start = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    body = cbor2.dumps(
        {
            "MetricDataQueries": [{"Id": "q1", "Expression": "SUM(METRICS())", "Period": 60}],
            "StartTime": cbor2.CBORTag(1, start.timestamp()),
            "EndTime": cbor2.CBORTag(1, int(start.timestamp()) + 60),
        }
    )
    headers = {"smithy-protocol": "rpc-v2-cbor", "Content-Type": "application/cbor"}
    req = request("POST", f"/service/{CW}/operation/GetMetricData", headers, body)
    operation, protocol = router("cloudwatch").match(req)
    assert (operation.name, protocol) == ("GetMetricData", "smithy-rpc-v2-cbor")
    params = parse_request(operation, req, protocol)
    assert params["StartTime"] == start
    assert params["EndTime"] == start + dt.timedelta(seconds=60)
    assert params["MetricDataQueries"] == [
        {"Id": "q1", "Expression": "SUM(METRICS())", "Period": 60}
    ]


def test_cloudwatch_query_and_json() -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    req = request("POST", "/", form, b"Action=ListMetrics&Version=2010-08-01&Namespace=AWS%2FX")
    assert route("cloudwatch", req) == ("ListMetrics", "query")
    target = {"X-Amz-Target": f"{CW}.ListMetrics", "Content-Type": "application/x-amz-json-1.0"}
    assert route("cloudwatch", request("POST", "/", target, b"{}")) == ("ListMetrics", "json")


def test_cloudwatch_gzip_query_body() -> None:
    form = (
        b"Action=PutMetricData&Version=2010-08-01&Namespace=App"
        b"&MetricData.member.1.MetricName=Hits&MetricData.member.1.Value=3"
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Content-Encoding": "gzip"}
    req = request("POST", "/", headers, gzip.compress(form))
    operation, protocol = router("cloudwatch").match(req)
    assert (operation.name, protocol) == ("PutMetricData", "query")
    assert parse_request(operation, req, protocol) == {
        "Namespace": "App",
        "MetricData": [{"MetricName": "Hits", "Value": 3.0}],
    }


def test_cbor_malformed_and_unknown() -> None:
    headers = {"smithy-protocol": "rpc-v2-cbor"}
    req = request("POST", f"/service/{CW}/operation/ListMetrics", headers, b"\xbf\x61")
    operation, protocol = router("cloudwatch").match(req)
    with pytest.raises(SerializationError):
        parse_request(operation, req, protocol)
    with pytest.raises(UnknownOperation):
        router("cloudwatch").match(request("POST", f"/service/{CW}/operation/Nope", headers))


def test_detect_protocol_falls_back_to_the_default() -> None:
    service = load_service_model("cloudwatch")
    assert detect_protocol(service, request("POST", "/")) == "smithy-rpc-v2-cbor"
    # A marker of a protocol the service does not speak is no reason to switch to it.
    assert detect_protocol(load_service_model("lambda"), request("POST", "/?Action=X")) == (
        "rest-json"
    )


# --- every operation of these services, as botocore serializes it ---------------------------

SWEEP = [
    "lambda",
    "s3",
    "sqs",
    "sns",
    "cloudwatch",
    "dynamodb",
    "logs",
    "events",
    "stepfunctions",
    "apigateway",
    "apigatewayv2",
    "xray",
    "iam",
    "sts",
    "ec2",
]
# Operations that share method, uri template and required members: nothing in the request tells
# them apart, and the router picks the first non-deprecated one.
INDISTINGUISHABLE = {
    ("s3", "ListDirectoryBuckets"): "ListBuckets",
    ("s3", "GetBucketLifecycle"): "GetBucketLifecycleConfiguration",
    ("s3", "PutBucketLifecycle"): "PutBucketLifecycleConfiguration",
    ("s3", "GetBucketNotification"): "GetBucketNotificationConfiguration",
    ("s3", "PutBucketNotification"): "PutBucketNotificationConfiguration",
}


def sample(shape: Shape, depth: int = 0) -> Any:
    """A value for `shape` with every required member filled, as a minimal valid call."""
    kind = shape.type_name
    if kind == "structure":
        if shape.metadata.get("document") or depth > 6:
            return {}
        members = shape.members
        # Some members even when none is required: the query protocols cannot send an empty
        # structure at all.
        names = shape.required_members or list(members)[:1]
        return {name: sample(members[name], depth + 1) for name in names}
    if kind == "list":
        return [sample(shape.member, depth + 1)]
    if kind == "map":
        return {"k": sample(shape.value, depth + 1)}
    if kind == "string":
        return shape.enum[0] if shape.enum else "name1"
    if kind in ("integer", "long"):
        return 1
    if kind in ("float", "double"):
        return 1.5
    if kind == "boolean":
        return True
    if kind == "timestamp":
        return dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    return b"data"  # blob


def call_params(operation: OperationModel) -> dict:
    shape = operation.input_shape
    if shape is None:
        return {}
    params = sample(shape)
    payload = shape.serialization.get("payload")
    if payload and shape.members[payload].type_name == "structure":
        # rest-json sends {} for an absent structure payload, read back as an empty one.
        params.setdefault(payload, sample(shape.members[payload]))
    return params


def serialized(operation: OperationModel, protocol: str, params: dict) -> HttpRequest:
    wire = create_serializer(protocol, include_validation=False).serialize_to_request(
        params, operation
    )
    path, _, query = wire["url_path"].partition("?")
    extra = wire["query_string"]
    if isinstance(extra, dict):
        extra = percent_encode_sequence(extra)
    query = "&".join(part for part in (query, extra) if part)
    body = wire["body"]
    if isinstance(body, dict):
        body = percent_encode_sequence(body).encode()
    return HttpRequest(wire["method"], path, query, Headers(wire["headers"]), body)


@pytest.mark.parametrize("service_name", SWEEP)
def test_every_operation_routes_and_round_trips(service_name: str) -> None:
    service = load_service_model(service_name)
    failures = []
    for protocol in service.metadata.get("protocols") or [service.metadata["protocol"]]:
        for name in service.operation_names:
            operation = service.operation_model(name)
            params = call_params(operation)
            req = serialized(operation, protocol, params)
            found, spoken = router(service_name).match(req)
            wanted = INDISTINGUISHABLE.get((service_name, name), name)
            if (found.name, spoken) != (wanted, protocol):
                failures.append(f"{protocol} {name}: routed to {found.name} as {spoken}")
                continue
            parsed = parse_request(operation, req, protocol)
            if parsed != params:
                failures.append(f"{protocol} {name}: {parsed} != {params}")
    assert not failures, "\n".join(failures[:20])
