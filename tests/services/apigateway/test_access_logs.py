"""REST API stages' access logs: set and checked through UpdateStage's /accessLogSettings
patches, and one line per request, rendered from the format's $context variables, read back
from CloudWatch Logs with FilterLogEvents."""

from __future__ import annotations

import json
import re

import pytest
import requests
from botocore.exceptions import ClientError

from tests.conftest import client, error_of, log_events, make_zip, wait_for
from tests.services.apigateway.conftest import (
    add_method,
    allow_logging,
    create_api_function,
    lambda_uri,
    root_of,
    stage_url,
)
from tests.services.apigateway.test_authorizers import AUTHORIZER, ECHO
from tests.services.apigateway.test_authorizers import _api as guarded_api

FORMAT = json.dumps({
    "requestId": "$context.requestId", "extended": "$context.extendedRequestId",
    "ip": "$context.identity.sourceIp", "ua": "$context.identity.userAgent",
    "method": "$context.httpMethod", "resourcePath": "$context.resourcePath",
    "path": "$context.path", "status": "$context.status", "stage": "$context.stage",
    "apiId": "$context.apiId", "account": "$context.accountId",
    "length": "$context.responseLength", "time": "$context.requestTime",
    "epoch": "$context.requestTimeEpoch", "error": "$context.error.message",
    "type": "$context.error.responseType", "latency": "$context.integrationLatency",
    "fnStatus": "$context.integration.status", "lambda": "$context.integrationStatus",
    "protocol": "$context.protocol", "unknown": "$context.nothing.here",
})  # fmt: skip
GROUP = "/rest/access"
HANDLER = """
import json

def handler(event, context):
    return {"statusCode": 201, "body": json.dumps({"ok": True})}
"""


def _arn(group: str) -> str:
    return f"arn:aws:logs:us-east-1:000000000000:log-group:{group}"


def _patches(arn: str, log_format: str) -> list[dict]:
    return [
        {"op": "replace", "path": "/accessLogSettings/destinationArn", "value": arn},
        {"op": "replace", "path": "/accessLogSettings/format", "value": log_format},
    ]


@pytest.fixture
def api(apigw, endpoint):
    """Stage `prod`: GET / a MOCK, GET /fn the function (answering 201); the account may log."""
    allow_logging(endpoint)
    lambda_ = client("lambda", endpoint)
    arn = create_api_function(lambda_, "fn", Code={"ZipFile": make_zip({"handler.py": HANDLER})})[
        "FunctionArn"
    ]
    api_id = apigw.create_rest_api(name="logged")["id"]
    root = root_of(apigw, api_id)
    add_method(
        apigw, api_id, root, "GET",
        type="MOCK", requestTemplates={"application/json": '{"statusCode": 200}'},
    )  # fmt: skip
    ids = {"restApiId": api_id, "resourceId": root, "httpMethod": "GET"}
    apigw.put_method_response(**ids, statusCode="200")
    apigw.put_integration_response(
        **ids, statusCode="200", responseTemplates={"application/json": '{"mocked": true}'}
    )
    fn = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="fn")["id"]
    proxied = {"type": "AWS_PROXY", "integrationHttpMethod": "POST", "uri": lambda_uri(arn)}
    add_method(apigw, api_id, fn, "GET", **proxied)
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    return {"id": api_id, "url": stage_url(endpoint, api_id, "prod")}


def test_settings_are_patched_shown_and_checked(apigw, api):
    ids = {"restApiId": api["id"], "stageName": "prod"}
    assert "accessLogSettings" not in apigw.get_stage(**ids)
    updated = apigw.update_stage(**ids, patchOperations=_patches(_arn(GROUP), FORMAT))
    assert updated["accessLogSettings"] == {"destinationArn": _arn(GROUP), "format": FORMAT}
    assert apigw.get_stage(**ids)["accessLogSettings"]["format"] == FORMAT

    refused = [
        (_patches("not-an-arn", FORMAT), "ARNs must start with 'arn:'"),
        (_patches("arn:aws:sqs:us-east-1:000000000000:q", FORMAT), "Invalid ARN"),
        (
            _patches(_arn(GROUP), "$context.status"),
            "Access Log format must include either $context.requestId or "
            "$context.extendedRequestId",
        ),
        (
            _patches("arn:aws:firehose:us-east-1:000000000000:deliverystream/x", FORMAT),
            "Lamina does not support Kinesis Data Firehose",
        ),
        ([{"op": "replace", "path": "/accessLogSettings/level", "value": "x"}], "patch path"),
    ]
    for operations, message in refused:
        with pytest.raises(ClientError) as caught:
            apigw.update_stage(**ids, patchOperations=operations)
        code, status, said = error_of(caught)
        assert (code, status) == ("BadRequestException", 400)
        assert message in said
    # refused calls changed nothing
    assert apigw.get_stage(**ids)["accessLogSettings"]["destinationArn"] == _arn(GROUP)

    removed = apigw.update_stage(
        **ids, patchOperations=[{"op": "remove", "path": "/accessLogSettings"}]
    )
    assert "accessLogSettings" not in removed


def test_each_request_writes_a_line(apigw, api, endpoint):
    logs = client("logs", endpoint)
    logs.create_log_group(logGroupName=GROUP)
    apigw.update_stage(
        restApiId=api["id"], stageName="prod", patchOperations=_patches(_arn(GROUP), FORMAT)
    )
    mocked = requests.get(api["url"] + "/", headers={"User-Agent": "probe"}, timeout=30)
    assert mocked.status_code == 200, mocked.text
    proxied = requests.get(api["url"] + "/fn", timeout=30)
    assert proxied.status_code == 201, proxied.text
    missing = requests.get(api["url"] + "/nowhere", timeout=30)
    assert missing.status_code == 403

    events = wait_for(lambda: len(found := log_events(logs, GROUP)) >= 3 and found)
    lines = {json.loads(e["message"])["requestId"]: json.loads(e["message"]) for e in events}
    assert len(lines) == 3
    line = lines[mocked.headers["x-amzn-RequestId"]]
    assert line["extended"] == mocked.headers["x-amz-apigw-id"]
    assert (line["method"], line["resourcePath"], line["path"]) == ("GET", "/", "/prod/")
    assert (line["status"], line["length"]) == ("200", str(len(mocked.content)))
    assert (line["stage"], line["apiId"], line["account"]) == ("prod", api["id"], "000000000000")
    assert (line["ip"], line["ua"], line["protocol"]) == ("127.0.0.1", "probe", "HTTP/1.1")
    assert re.fullmatch(r"\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000", line["time"])
    assert line["epoch"].isdigit() and len(line["epoch"]) == 13
    assert line["unknown"] == "-" and line["error"] == "-" and line["type"] == "-"

    line = lines[proxied.headers["x-amzn-RequestId"]]
    assert (line["status"], line["fnStatus"], line["lambda"]) == ("201", "201", "200")
    assert line["latency"].isdigit()

    line = lines[missing.headers["x-amzn-RequestId"]]
    assert (line["status"], line["resourcePath"]) == ("403", "-")
    assert line["error"] == "Missing Authentication Token"
    assert line["type"] == "MISSING_AUTHENTICATION_TOKEN"

    streams = logs.describe_log_streams(logGroupName=GROUP)["logStreams"]
    assert [bool(re.fullmatch(r"[0-9a-f]{32}", s["logStreamName"])) for s in streams] == [True]


def test_a_missing_log_group_is_made(apigw, api, endpoint):
    """As API Gateway does (its CloudWatch role may create log groups)."""
    logs = client("logs", endpoint)
    group = "/rest/made-by-the-gateway"
    apigw.update_stage(
        restApiId=api["id"], stageName="prod",
        patchOperations=_patches(_arn(group), "$context.requestId $context.status"),
    )  # fmt: skip
    answer = requests.get(api["url"] + "/", timeout=30)
    events = wait_for(lambda: log_events(logs, group))
    assert [e["message"] for e in events] == [f"{answer.headers['x-amzn-RequestId']} 200"]


def test_a_lambda_authorizers_answer_is_in_the_line(apigw, endpoint):
    allow_logging(endpoint)
    lambda_ = client("lambda", endpoint)
    echo = create_api_function(lambda_, "echo", Code={"ZipFile": make_zip({"handler.py": ECHO})})
    auth = create_api_function(
        lambda_, "auth", Code={"ZipFile": make_zip({"handler.py": AUTHORIZER})}
    )
    api_id, _ = guarded_api(apigw, echo["FunctionArn"], {
        "name": "tok", "type": "TOKEN", "authorizerUri": lambda_uri(auth["FunctionArn"]),
        "identitySource": "method.request.header.Authorization",
    })  # fmt: skip
    log_format = "$context.requestId $context.authorizer.principalId $context.authorizer.admin"
    apigw.update_stage(
        restApiId=api_id, stageName="prod", patchOperations=_patches(_arn(GROUP), log_format)
    )
    url = stage_url(endpoint, api_id, "prod")
    allowed = requests.get(f"{url}/things/1", headers={"Authorization": "ann"}, timeout=30)
    assert allowed.status_code == 200, allowed.text
    refused = requests.get(f"{url}/things/1", headers={"Authorization": "deny"}, timeout=30)
    assert refused.status_code == 403
    logs = client("logs", endpoint)
    events = wait_for(lambda: len(found := log_events(logs, GROUP)) >= 2 and found)
    lines = {e["message"].split(" ", 1)[0]: e["message"] for e in events}
    assert lines[allowed.headers["x-amzn-RequestId"]].endswith(" user-ann true")
    assert refused.headers["x-amzn-RequestId"] in lines
