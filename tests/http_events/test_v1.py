"""Payload format 1.0: the event's maps (null when empty, last value vs every value, canonical
header names, base64 per binaryMediaTypes) and what a function's answer must be."""

from __future__ import annotations

import json

import pytest

from lamina.http_events import v1, v1_response
from lamina.protocol.http import Headers, HttpRequest

ROUTE = v1.Route(
    account_id="000000000000", api_id="abcdefghij", stage="prod", deployment_id="dep123",
    resource_id="res", resource_path="/{proxy+}", domain_name="abcdefghij.execute-api.localhost",
    source_ip="10.0.0.1", request_id="rid", extended_request_id="ext",
)  # fmt: skip


def build(request: HttpRequest, raw: list[tuple[str, str]], binary: list[str]) -> dict:
    return json.loads(v1.event(request, "/a", ROUTE, raw, binary, now=0))


def test_event_maps_and_bodies():
    request = HttpRequest("POST", "/prod/a", "k=1&k=2&e=", Headers(), b"\x89PNG")
    raw = [("content-type", "image/png"), ("x-multi", "1"), ("x-multi", "2")]
    event = build(request, raw, ["image/*"])
    assert event["headers"] == {"Content-Type": "image/png", "X-Multi": "2"}
    assert event["multiValueHeaders"]["X-Multi"] == ["1", "2"]
    assert event["queryStringParameters"] == {"k": "2", "e": ""}
    assert event["multiValueQueryStringParameters"] == {"k": ["1", "2"], "e": [""]}
    assert (event["body"], event["isBase64Encoded"]) == ("iVBORw==", True)
    assert event["pathParameters"] is None and event["stageVariables"] is None
    assert event["requestContext"]["requestTime"] == "01/Jan/1970:00:00:00 +0000"
    assert event["requestContext"]["path"] == "/prod/a"
    text = build(request, [("content-type", "image/png")], ["application/octet-stream"])
    assert text["isBase64Encoded"] is False
    empty = build(HttpRequest("GET", "/prod/a"), [], [])
    assert empty["headers"] is None and empty["queryStringParameters"] is None
    assert (empty["body"], empty["isBase64Encoded"]) == (None, False)


def test_a_function_answer_becomes_the_response():
    answer = v1_response.response(json.dumps({
        "statusCode": 201, "headers": {"X-A": "single", "X-B": 1},
        "multiValueHeaders": {"X-A": ["m1", "m2"]}, "body": "aGk=", "isBase64Encoded": True,
    }).encode())  # fmt: skip
    assert answer.status == 201 and answer.body == b"hi"
    assert answer.headers == [("X-A", "m1"), ("X-A", "m2"), ("X-B", "1"),
                              ("Content-Type", "application/json")]  # fmt: skip


@pytest.mark.parametrize(
    "payload",
    [b"not json", b"[1]", b'{"body": "x"}', b'{"statusCode": 700}',
     b'{"statusCode": 200, "body": {"a": 1}}', b'{"statusCode": 200, "headers": []}',
     b'{"statusCode": 200, "body": "@@", "isBase64Encoded": true}'],
)  # fmt: skip
def test_malformed_answers(payload):
    with pytest.raises(v1_response.Malformed):
        v1_response.response(payload)
