"""API Gateway's account settings through boto3: GetAccount and UpdateAccount's CloudWatch Logs
role (checked as AWS checks it), the role that REST and WebSocket API stages need before they
log, and the account-level throttle every API of the account shares."""

from __future__ import annotations

import json
import signal

import pytest
import requests
from botocore.exceptions import ClientError

from tests.conftest import ENGINES, client, error_of, own_server
from tests.services.apigateway.conftest import (
    LOGGING_ROLE_TRUST,
    PUSH_TO_LOGS,
    add_method,
    allow_logging,
    root_of,
    stage_url,
)

NEEDS_ROLE = "CloudWatch Logs role ARN must be set in account settings to enable logging"
REFUSED = "The role ARN does not have required permissions configured."


def _set_role(apigw, arn: str) -> dict:
    return apigw.update_account(
        patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": arn}]
    )


def test_account_settings_and_the_role_check(endpoint):
    region = "eu-west-3"  # account settings are per region: another's are not these
    apigw = client("apigateway", endpoint, region=region)
    iam = client("iam", endpoint)
    fresh = apigw.get_account()
    assert "cloudwatchRoleArn" not in fresh
    assert fresh["throttleSettings"] == {"burstLimit": 5000, "rateLimit": 10000.0}
    assert (fresh["features"], fresh["apiKeyVersion"]) == (["UsagePlans"], "4")

    untrusting = iam.create_role(
        RoleName="acct-lambda-only",
        AssumeRolePolicyDocument=LOGGING_ROLE_TRUST.replace("apigateway", "lambda"),
    )["Role"]["Arn"]
    iam.attach_role_policy(RoleName="acct-lambda-only", PolicyArn=PUSH_TO_LOGS)
    powerless = iam.create_role(
        RoleName="acct-no-logs", AssumeRolePolicyDocument=LOGGING_ROLE_TRUST
    )
    powerless = powerless["Role"]["Arn"]
    for arn, words in [
        ("arn:aws:iam::000000000000:role/no-such-role", REFUSED),
        (untrusting, REFUSED),  # does not trust apigateway.amazonaws.com
        (powerless, REFUSED),  # may not write CloudWatch Logs
        ("arn:aws:iam::111111111111:role/elsewhere", REFUSED),  # another account's
        ("not-an-arn", "not well formed"),
    ]:
        with pytest.raises(ClientError) as error:
            _set_role(apigw, arn)
        code, status, message = error_of(error)
        assert (code, status) == ("BadRequestException", 400) and words in message, arn
    assert "cloudwatchRoleArn" not in apigw.get_account()  # nothing refused was kept

    # an inline policy allowing the log actions does as well as AWS's managed one
    iam.put_role_policy(RoleName="acct-no-logs", PolicyName="logs", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}],
    }))  # fmt: skip
    assert _set_role(apigw, powerless)["cloudwatchRoleArn"] == powerless
    assert apigw.get_account()["cloudwatchRoleArn"] == powerless
    other_region = client("apigateway", endpoint).get_account()
    assert other_region.get("cloudwatchRoleArn") != powerless  # each region's are its own

    with pytest.raises(ClientError) as error:
        apigw.update_account(patchOperations=[{"op": "replace", "path": "/features", "value": "x"}])
    assert error_of(error)[:2] == ("BadRequestException", 400)
    removed = apigw.update_account(patchOperations=[{"op": "remove", "path": "/cloudwatchRoleArn"}])
    assert "cloudwatchRoleArn" not in removed and "cloudwatchRoleArn" not in apigw.get_account()


def test_stage_logging_needs_the_accounts_role(endpoint):
    region = "ap-south-2"
    apigw = client("apigateway", endpoint, region=region)
    v2 = client("apigatewayv2", endpoint, region=region)
    api_id = apigw.create_rest_api(name="logs-need-role")["id"]
    add_method(apigw, api_id, root_of(apigw, api_id))
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    group = f"arn:aws:logs:{region}:000000000000:log-group:access"
    logging_on = [
        {"op": "replace", "path": "/accessLogSettings/destinationArn", "value": group},
        {"op": "replace", "path": "/accessLogSettings/format", "value": "$context.requestId"},
    ]
    with pytest.raises(ClientError) as error:
        apigw.update_stage(restApiId=api_id, stageName="prod", patchOperations=logging_on)
    assert error_of(error) == ("BadRequestException", 400, NEEDS_ROLE)
    assert "accessLogSettings" not in apigw.get_stage(restApiId=api_id, stageName="prod")

    settings = {"DestinationArn": group, "Format": "$context.requestId"}
    socket_api = v2.create_api(
        Name="ws", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action"
    )["ApiId"]
    with pytest.raises(ClientError) as error:
        v2.create_stage(ApiId=socket_api, StageName="prod", AccessLogSettings=settings)
    assert error_of(error) == ("BadRequestException", 400, NEEDS_ROLE)
    with pytest.raises(ClientError):
        v2.get_stage(ApiId=socket_api, StageName="prod")  # nothing was made
    # HTTP APIs log without it, as on AWS
    http_api = v2.create_api(Name="http", ProtocolType="HTTP")["ApiId"]
    made = v2.create_stage(ApiId=http_api, StageName="prod", AccessLogSettings=settings)
    assert made["AccessLogSettings"] == settings

    allow_logging(endpoint, region)
    updated = apigw.update_stage(restApiId=api_id, stageName="prod", patchOperations=logging_on)
    assert updated["accessLogSettings"]["destinationArn"] == group
    made = v2.create_stage(ApiId=socket_api, StageName="prod", AccessLogSettings=settings)
    assert made["AccessLogSettings"] == settings


@pytest.mark.parametrize("engine", ENGINES)
def test_the_account_throttle_is_shared_by_every_api_and_the_role_survives(tmp_path, engine):
    """A node whose account-level throttle lets three requests through, then one a 1,000 s."""
    env = {"LAMINA_APIGATEWAY_ACCOUNT_RATE": "0.001", "LAMINA_APIGATEWAY_ACCOUNT_BURST": "3"}
    with own_server(tmp_path / "data", engine, "apigw_account", env) as lamina:
        _throttle_shared(lamina.url)
        role = allow_logging(lamina.url)
        lamina.stop(signal.SIGKILL)
        lamina.start()
        assert client("apigateway", lamina.url).get_account()["cloudwatchRoleArn"] == role


def _throttle_shared(endpoint: str) -> None:
    apigw = client("apigateway", endpoint)
    assert apigw.get_account()["throttleSettings"] == {"burstLimit": 3, "rateLimit": 0.001}
    mocked = apigw.create_rest_api(name="throttled")["id"]
    root = root_of(apigw, mocked)
    ids = {"restApiId": mocked, "resourceId": root, "httpMethod": "GET"}
    add_method(apigw, mocked, root, type="MOCK",
               requestTemplates={"application/json": '{"statusCode": 200}'})  # fmt: skip
    apigw.put_method_response(**ids, statusCode="200")
    apigw.put_integration_response(**ids, statusCode="200", selectionPattern="")
    apigw.create_deployment(restApiId=mocked, stageName="prod")
    url = stage_url(endpoint, mocked, "prod")
    assert [requests.get(url, timeout=30).status_code for _ in range(2)] == [200, 200]

    v2 = client("apigatewayv2", endpoint)
    http_api = v2.create_api(Name="other", ProtocolType="HTTP")["ApiId"]
    v2.create_route(ApiId=http_api, RouteKey="GET /anything")  # no integration: 404
    v2.create_stage(ApiId=http_api, StageName="$default", AutoDeploy=True)
    other = f"{endpoint}/_aws/execute-api/{http_api}/anything"
    # the third token is taken by the HTTP API's route, then none is left for either
    assert requests.get(other, timeout=30).status_code == 404
    again = requests.get(url, timeout=30)
    assert (again.status_code, again.json()) == (429, {"message": "Too Many Requests"})
    last = requests.get(other, timeout=30)
    assert (last.status_code, last.json()) == (429, {"message": "Too Many Requests"})
