"""Velocity mapping templates rendered as API Gateway renders them (vtl.py, templates.py), without
a server: $input, $util, $context, $stageVariables, #set/#if/#foreach; template choice and
passthrough behaviours; integration response selection and responseParameters."""

from __future__ import annotations

import json

import pytest

from lamina.http_events.v1 import Route
from lamina.protocol.http import Headers, HttpRequest
from lamina.services.apigateway import templates, vtl

ROUTE = Route(
    account_id="000000000000", api_id="abcdefghij", stage="prod", deployment_id="dep1",
    resource_id="res1", resource_path="/items/{id}", domain_name="abcdefghij.execute-api.x",
    source_ip="10.0.0.9", request_id="req-1", extended_request_id="ext-1",
    path_parameters={"id": "7"}, stage_variables={"color": "blue"},
)  # fmt: skip


def request(body: bytes = b"", content_type: str = "application/json", **extra) -> vtl.Request:
    headers = Headers({"content-type": content_type, "x-trace": "t1", **extra})
    http = HttpRequest("POST", "/prod/items/7", "q=a%20b&n=2", headers, body)
    return vtl.Request(http, ROUTE, "/items/7", vtl.params_of(http, ROUTE), now=1700000000.5)


def test_input_variables():
    body = b'{"name": "Ann", "pets": [{"id": 1}, {"id": 2}], "n": {"deep": true}}'
    out = vtl.render(
        '{"name": $input.json(\'$.name\'), "ids": $input.json(\'$.pets[*].id\'), '
        '"deep": $input.path(\'$.n.deep\'), "first": $input.path(\'$.pets[0]\').id, '
        '"id": "$input.params(\'id\')", "q": "$input.params(\'q\')", '
        '"trace": "$input.params(\'X-Trace\')", "none": "$input.params(\'nope\')", '
        '"header": "$input.params().header.get(\'X-Trace\')", '
        '"qs": "$input.params().querystring.n", "path": "$input.params().path.id", '
        '"raw": $input.body}',
        request(body), request(body).http.body,
    )  # fmt: skip
    assert json.loads(out) == {
        "name": "Ann", "ids": [1, 2], "deep": True, "first": 1, "id": "7", "q": "a b",
        "trace": "t1", "none": "", "header": "t1", "qs": "2", "path": "7",
        "raw": json.loads(body),
    }  # fmt: skip


def test_util_context_stage_variables_and_directives():
    out = vtl.render(
        "$util.escapeJavaScript('say \"hi\"/\n') | $util.urlEncode('a b&c') | "
        "$util.urlDecode('a+b%26c') | $util.base64Encode('hé') | "
        "$util.base64Decode('aGk=') | $util.parseJson('{\"k\": [3]}').k[0] | "
        "$context.requestId $context.accountId $context.apiId $context.stage "
        "$context.resourcePath $context.httpMethod $context.identity.sourceIp "
        "$context.requestTimeEpoch $context.requestTime $context.path | $stageVariables.color | "
        "#set($xs = [1, 2, 3])#foreach($x in $xs)$x#if($foreach.hasNext),#end#end",
        request(), b"",
    )  # fmt: skip
    assert out == (
        'say \\"hi\\"\\/\\n | a+b%26c | a b&c | aMOp | hi | 3 | '
        "req-1 000000000000 abcdefghij prod /items/{id} POST 10.0.0.9 "
        "1700000000500 14/Nov/2023:22:13:20 +0000 /prod/items/7 | blue | 1,2,3"
    )
    authorized = vtl.Request(**{**request().__dict__, "authorizer": {"principalId": "me"}})
    assert vtl.render("$context.authorizer.principalId", authorized, b"") == "me"
    with pytest.raises(vtl.TemplateError):
        vtl.render("$input.json('$.a')", request(b"not json"), b"not json")


def test_request_template_by_content_type_and_passthrough():
    integration = {"requestTemplates": {"application/json": "{\"got\": $input.json('$.v')}"}}
    assert templates.request_body(integration, request(b'{"v": 1}')) == b'{"got": 1}'
    plain = request(b"raw text", content_type="text/plain; charset=utf-8")
    assert templates.request_body(integration, plain) == b"raw text"  # WHEN_NO_MATCH
    for behaviour in ("WHEN_NO_TEMPLATES", "NEVER"):
        with pytest.raises(templates.Unsupported):
            templates.request_body({**integration, "passthroughBehavior": behaviour}, plain)
    assert (
        templates.request_body({"passthroughBehavior": "WHEN_NO_TEMPLATES"}, plain) == b"raw text"
    )
    with pytest.raises(templates.Unsupported):
        templates.request_body({"passthroughBehavior": "NEVER"}, plain)


OVERRIDE = "#set($context.responseOverride.status = 410)gone"


def test_integration_response_selection_and_parameters():
    integration = {"integrationResponses": {
        "200": {"statusCode": "200", "responseTemplates": {
            "application/json": '{"name": "$input.path(\'$.name\')"}',
            "text/plain": "name=$input.path('$.name')",
        }, "responseParameters": {
            "method.response.header.X-Static": "'fixed'",
            "method.response.header.X-Kind": "integration.response.body.kind",
            "method.response.header.X-Up": "integration.response.header.X-Upstream",
        }},
        "404": {"statusCode": "404", "selectionPattern": "Not Found.*",
                "responseTemplates": {"application/json": OVERRIDE}},
        "500": {"statusCode": "500", "selectionPattern": "5\\d\\d"},
    }}  # fmt: skip
    body = b'{"name": "Ann", "kind": "cat"}'
    ok = templates.respond(
        integration, request(), templates.Outcome(None, body, {"x-upstream": "u"})
    )
    assert (ok.status, ok.body) == (200, b'{"name": "Ann"}')
    assert (ok.header("X-Static"), ok.header("X-Kind"), ok.header("X-Up")) == ("fixed", "cat", "u")
    assert ok.header("Content-Type") == "application/json"
    text = templates.respond(
        integration, request(accept="text/plain"), templates.Outcome(None, body)
    )
    assert (text.body, text.header("Content-Type")) == (b"name=Ann", "text/plain")
    gone = templates.respond(integration, request(), templates.Outcome("Not Found: 7", b"{}"))
    assert (gone.status, gone.body) == (410, b"gone")  # $context.responseOverride.status
    # A pattern matches the whole value; no match takes the default response.
    other = templates.respond(integration, request(), templates.Outcome("Oops Not Found", body))
    assert other.status == 200
    passed = templates.respond(
        integration, request(), templates.Outcome("503", b"<x/>", content_type="text/xml")
    )
    assert (passed.status, passed.body, passed.header("Content-Type")) == (500, b"<x/>", "text/xml")
    no_default = {"integrationResponses": {"404": integration["integrationResponses"]["404"]}}
    assert templates.respond(no_default, request(), templates.Outcome(None, b"")).status == 500
