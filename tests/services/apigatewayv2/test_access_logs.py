"""HTTP and WebSocket API stages' AccessLogSettings: set on CreateStage/UpdateStage, checked
as AWS checks them, and one line per request (per WebSocket event) read back from CloudWatch
Logs (FilterLogEvents)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from websockets.sync.client import connect

from tests.conftest import client, error_of, log_events, wait_for
from tests.services.apigateway.conftest import allow_logging
from tests.services.apigatewayv2.helpers import apigw, by_host, echo_function
from tests.services.apigatewayv2.test_websocket import _api as websocket_api
from tests.services.apigatewayv2.test_websocket import _events

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
    # DeleteAccessLogSettings turns logging off too
    api.update_stage(ApiId=api_id, StageName="beta", AccessLogSettings=settings)
    api.delete_access_log_settings(ApiId=api_id, StageName="beta")
    stage = api.get_stage(ApiId=api_id, StageName="beta")
    assert "AccessLogSettings" not in stage and stage["Description"] == "d"
    with pytest.raises(ClientError) as caught:
        api.delete_access_log_settings(ApiId=api_id, StageName="gamma")
    assert error_of(caught)[:2] == ("NotFoundException", 404)


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


def test_each_websocket_event_writes_a_line(endpoint, lambda_client):
    allow_logging(endpoint)  # WebSocket stages, as REST ones, log once the account may
    api_id, queue = websocket_api(endpoint, lambda_client)
    log_format = (
        "$context.requestId $context.eventType $context.routeKey $context.status "
        "$context.connectionId $context.error.message $context.disconnectStatusCode"
    )
    apigw(endpoint).update_stage(
        ApiId=api_id, StageName="dev",
        AccessLogSettings={"DestinationArn": ARN, "Format": log_format},
    )  # fmt: skip
    base = f"{endpoint.replace('http://', 'ws://')}/_aws/execute-api/{api_id}"
    with connect(f"{base}/dev", open_timeout=60) as ws:
        (event,) = _events(endpoint, queue, 1)
        connection_id = event["requestContext"]["connectionId"]
        ws.send(json.dumps({"action": "shout", "text": "x"}))
        assert ws.recv(timeout=60) == "X"
        ws.send(json.dumps({"action": "fail"}))
        assert "Internal server error" in ws.recv(timeout=60)
    _events(endpoint, queue, 1)  # $disconnect ran

    logs = client("logs", endpoint)
    events = wait_for(lambda: len(found := log_events(logs, GROUP)) >= 4 and found)
    lines = sorted(e["message"].split(" ")[1:] for e in events)
    assert lines == sorted([
        ["CONNECT", "$connect", "200", connection_id, "-", "-"],
        ["MESSAGE", "shout", "200", connection_id, "-", "-"],
        ["MESSAGE", "fail", "500", connection_id, "Internal", "server", "error", "-"],
        ["DISCONNECT", "$disconnect", "200", connection_id, "-", "1000"],
    ])  # fmt: skip
