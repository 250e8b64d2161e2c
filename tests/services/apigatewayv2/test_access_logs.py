"""HTTP API stages' AccessLogSettings: set on CreateStage/UpdateStage, checked as AWS checks
them, and one line per request read back from CloudWatch Logs (FilterLogEvents)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.conftest import client, error_of, log_events, wait_for
from tests.services.apigatewayv2.helpers import apigw, by_host, echo_function

GROUP = "/http/access"
ARN = f"arn:aws:logs:us-east-1:000000000000:log-group:{GROUP}"
FORMAT = json.dumps({
    "requestId": "$context.requestId", "extended": "$context.extendedRequestId",
    "routeKey": "$context.routeKey", "status": "$context.status", "path": "$context.path",
    "method": "$context.httpMethod", "stage": "$context.stage", "ip": "$context.identity.sourceIp",
    "length": "$context.responseLength", "integration": "$context.integration.status",
    "lambda": "$context.integration.integrationStatus", "error": "$context.error.message",
    "latency": "$context.responseLatency", "resource": "$context.resourcePath",
})  # fmt: skip


def test_settings_are_kept_shown_and_checked(endpoint, lambda_client):
    api = apigw(endpoint)
    api_id = api.create_api(Name="h", ProtocolType="HTTP")["ApiId"]
    settings = {"DestinationArn": ARN, "Format": FORMAT}
    made = api.create_stage(ApiId=api_id, StageName="beta", AccessLogSettings=settings)
    assert made["AccessLogSettings"] == settings
    assert api.get_stage(ApiId=api_id, StageName="beta")["AccessLogSettings"] == settings
    for given, message in (
        ({"DestinationArn": "log-group", "Format": FORMAT}, "ARNs must start with 'arn:'"),
        (
            {"DestinationArn": ARN, "Format": "$context.status"},
            "Access Log format must include either $context.requestId or "
            "$context.extendedRequestId",
        ),
    ):
        with pytest.raises(ClientError) as caught:
            api.update_stage(ApiId=api_id, StageName="beta", AccessLogSettings=given)
        code, status, said = error_of(caught)
        assert (code, status) == ("BadRequestException", 400) and message in said
    assert api.get_stage(ApiId=api_id, StageName="beta")["AccessLogSettings"] == settings
    # an update without them keeps them; empty ones turn logging off
    api.update_stage(ApiId=api_id, StageName="beta", Description="d")
    assert api.get_stage(ApiId=api_id, StageName="beta")["AccessLogSettings"] == settings
    api.update_stage(ApiId=api_id, StageName="beta", AccessLogSettings={})
    assert "AccessLogSettings" not in api.get_stage(ApiId=api_id, StageName="beta")

    ws = api.create_api(
        Name="w", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action"
    )["ApiId"]
    with pytest.raises(ClientError) as caught:
        api.create_stage(ApiId=ws, StageName="s", AccessLogSettings=settings)
    assert "Lamina does not support" in error_of(caught)[2]


def test_each_request_writes_a_line(endpoint, lambda_client):
    arn = echo_function(lambda_client)
    api = apigw(endpoint)
    api_id = api.create_api(Name="h", ProtocolType="HTTP", Target=arn)["ApiId"]
    api.update_stage(
        ApiId=api_id, StageName="$default",
        AccessLogSettings={"DestinationArn": ARN, "Format": FORMAT},
    )  # fmt: skip
    ok = by_host(endpoint, api_id, "/shop/cart", method="POST")
    assert ok.status_code == 200, ok.text
    failed = by_host(endpoint, api_id, "/x/fail")
    assert failed.status_code == 500

    logs = client("logs", endpoint)
    events = wait_for(lambda: len(found := log_events(logs, GROUP)) >= 2 and found)
    lines = {json.loads(e["message"])["requestId"]: json.loads(e["message"]) for e in events}
    line = lines[ok.headers["apigw-requestid"]]
    assert line["extended"] == line["requestId"]
    assert (line["routeKey"], line["status"], line["path"]) == ("$default", "200", "/shop/cart")
    assert (line["method"], line["stage"], line["ip"]) == ("POST", "$default", "127.0.0.1")
    assert (line["integration"], line["lambda"]) == ("200", "200")
    assert line["length"] == str(len(ok.content)) and line["latency"].isdigit()
    assert (line["error"], line["resource"]) == ("-", "-")  # REST APIs' variable: none here
    line = lines[failed.headers["apigw-requestid"]]
    assert (line["status"], line["error"]) == ("500", "Internal Server Error")
