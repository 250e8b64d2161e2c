"""Payload format 2.0, both ways, as pure functions: the event a request becomes, and the
response a function's answer becomes."""

from __future__ import annotations

import json

from lamina.http_events import v2, v2_response
from lamina.protocol.http import Headers, HttpRequest


def build(request: HttpRequest, path: str = "/p", raw: list | None = None) -> dict:
    route = v2.Route("u" * 32, "u" * 32 + ".lambda-url.us-east-1.localhost", "10.0.0.1", "req")
    return json.loads(v2.event(request, path, route, raw, now=1_700_000_000.5))


def test_repeated_headers_and_parameters_are_joined_with_commas():
    request = HttpRequest(
        "GET",
        "/p",
        "k=1&k=2&sp=a+b&enc=%2F",
        Headers([("X-Many", "a"), ("X-Many", "b"), ("Host", "h")]),
    )
    raw = [("X-Many", "a"), ("X-Many", "b"), ("Accept", "text/html, text/plain")]
    event = build(request, raw=raw)
    assert event["headers"]["x-many"] == "a,b"
    assert event["headers"]["accept"] == "text/html, text/plain"  # one value, as sent
    assert event["queryStringParameters"] == {"k": "1,2", "sp": "a b", "enc": "/"}
    assert event["requestContext"]["timeEpoch"] == 1_700_000_000_500
    assert event["requestContext"]["time"] == "14/Nov/2023:22:13:20 +0000"
    assert "body" not in event and event["isBase64Encoded"] is False
    assert "cookies" not in event


def test_no_query_has_no_parameters():
    event = build(HttpRequest("GET", "/p"))
    assert event["rawQueryString"] == ""
    assert "queryStringParameters" not in event


def test_text_types_stay_text_others_go_base64():
    assert v2.is_text("application/json; charset=utf-8")
    assert v2.is_text("text/html")
    assert v2.is_text("application/vnd.api+json")
    assert not v2.is_text("application/octet-stream")
    assert not v2.is_text("")
    form = HttpRequest(
        "POST", "/p", "", Headers([("Content-Type", "application/x-www-form-urlencoded")]), b"a=1"
    )
    assert build(form)["isBase64Encoded"] is True


def test_answers():
    plain = v2_response.response(b'{"a": 1}', None)
    assert (plain.status, plain.body, plain.header("content-type")) == (
        200,
        b'{"a": 1}',
        "application/json",
    )
    structured = v2_response.response(
        json.dumps({"statusCode": 302, "headers": {"Location": "/x"}, "cookies": ["a=1"]}).encode(),
        None,
    )
    assert structured.status == 302
    assert structured.header("location") == "/x"
    assert ("Set-Cookie", "a=1") in structured.headers
    assert v2_response.response(b"{}", "Unhandled").status == 502
    assert v2_response.response(b'{"statusCode": "nope"}', None).status == 502
    assert v2_response.response(b'{"statusCode": 200, "body": {"x": 1}}', None).body == b'{"x": 1}'
