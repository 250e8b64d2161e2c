"""TestInvokeMethod and TestInvokeAuthorizer through boto3: a method run as the API is defined
now (not as a stage serves it), through the data plane's integrations, authorization and API
keys skipped, from the test-invoke-stage stage (the one the function's permission must name);
a Lambda authorizer invoked with the event the data plane builds, its policy's verdict as
clientStatus, never cached."""

from __future__ import annotations

import json

import pytest
import requests
from botocore.exceptions import ClientError

from tests.conftest import client, create_function, error_of, make_zip
from tests.services.apigateway.conftest import (
    add_method,
    create_api_function,
    lambda_uri,
    root_of,
    stage_url,
)

ECHO = """
import json
def handler(event, context):
    return {"statusCode": 201, "headers": {"X-From": "fn"},
            "multiValueHeaders": {"X-Many": ["a", "b"]}, "body": json.dumps(event)}
"""

AUTHORIZER = """
import json
import uuid

def handler(event, context):
    token = event.get("authorizationToken") or (event.get("headers") or {}).get("X-User", "")
    if token == "unauthorized":
        raise Exception("Unauthorized")
    if token == "boom":
        raise RuntimeError("boom")
    effect = "Deny" if token == "deny" else "Allow"
    statement = {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}
    return {"principalId": "user-" + token,
            "policyDocument": {"Version": "2012-10-17", "Statement": [statement]},
            "context": {"who": token, "admin": True, "event": json.dumps(event),
                        "answer": uuid.uuid4().hex}}
"""

ACCOUNT = "000000000000"


def _invoke(apigw, api_id: str, resource_id: str, verb: str = "GET", **params):
    return apigw.test_invoke_method(
        restApiId=api_id, resourceId=resource_id, httpMethod=verb, **params
    )


def _mock_api(apigw) -> tuple[str, str]:
    """GET /pets/{id}: a MOCK integration whose templates show what they were given."""
    api_id = apigw.create_rest_api(name="pets")["id"]
    pets = apigw.create_resource(restApiId=api_id, parentId=root_of(apigw, api_id),
                                 pathPart="pets")["id"]  # fmt: skip
    pet = apigw.create_resource(restApiId=api_id, parentId=pets, pathPart="{id}")["id"]
    add_method(
        apigw, api_id, pet, "GET", type="MOCK",
        requestTemplates={"application/json": '{"statusCode": $input.params("code")}'},
    )  # fmt: skip
    ids = {"restApiId": api_id, "resourceId": pet, "httpMethod": "GET"}
    apigw.put_method_response(**ids, statusCode="200")
    apigw.put_method_response(**ids, statusCode="404")
    apigw.put_integration_response(
        **ids, statusCode="200", selectionPattern="",
        responseTemplates={"application/json": (
            '{"id": "$input.params(\'id\')", "q": "$input.params(\'q\')", '
            '"color": "$stageVariables.color", "stage": "$context.stage", '
            '"header": "$input.params(\'X-Custom\')"}'
        )},
        responseParameters={"method.response.header.X-Mock": "'yes'"},
    )  # fmt: skip
    apigw.put_integration_response(
        **ids, statusCode="404", selectionPattern="404",
        responseTemplates={"application/json": '{"missing": "$input.params(\'id\')"}'},
    )  # fmt: skip
    return api_id, pet


def test_a_mock_method_with_templates(apigw):
    api_id, pet = _mock_api(apigw)
    answer = _invoke(
        apigw, api_id, pet, pathWithQueryString="/pets/7?q=x&code=200",
        headers={"X-Custom": "v", "Content-Type": "application/json"},
        stageVariables={"color": "blue"},
    )  # fmt: skip
    assert answer["status"] == 200, answer["log"]
    assert json.loads(answer["body"]) == {
        "id": "7", "q": "x", "color": "blue", "stage": "test-invoke-stage", "header": "v",
    }  # fmt: skip
    assert answer["headers"]["X-Mock"] == "yes"
    assert answer["multiValueHeaders"]["X-Mock"] == ["yes"]
    assert isinstance(answer["latency"], int) and answer["latency"] >= 0
    log = answer["log"]
    assert log.startswith("Execution log for request ")
    for line in (
        "HTTP Method: GET, Resource Path: /pets/7",
        "Method request path: {id=7}",
        "Method request query string: {q=x, code=200}",
        'Endpoint request body after transformations: {"statusCode": 200}',
        "Method response headers: {",
        "Successfully completed execution",
        "Method completed with status: 200",
    ):
        assert line in log, log
    # the integration response chosen by the MOCK's status
    missing = _invoke(apigw, api_id, pet, pathWithQueryString="/pets/9?code=404")
    assert (missing["status"], json.loads(missing["body"])) == (404, {"missing": "9"})
    assert "Method completed with status: 404" in missing["log"]
    assert "Successfully completed execution" not in missing["log"]
    # no deployment was made to run it
    assert apigw.get_deployments(restApiId=api_id)["items"] == []


def test_request_validation_still_applies(apigw):
    api_id, pet = _mock_api(apigw)
    validator = apigw.create_request_validator(restApiId=api_id, name="params",
                                               validateRequestParameters=True)["id"]  # fmt: skip
    apigw.update_method(restApiId=api_id, resourceId=pet, httpMethod="GET", patchOperations=[
        {"op": "replace", "path": "/requestValidatorId", "value": validator},
        {"op": "add", "path": "/requestParameters/method.request.querystring.q", "value": "true"},
    ])  # fmt: skip
    refused = _invoke(apigw, api_id, pet, pathWithQueryString="/pets/7?code=200")
    assert refused["status"] == 400, refused["log"]
    assert "Request validation failed" in refused["log"]
    assert _invoke(apigw, api_id, pet, pathWithQueryString="/pets/7?code=200&q=1")["status"] == 200


def _proxy_api(apigw, function_arn: str) -> tuple[str, str]:
    """GET /items/{id}, AWS_IAM and an API key required, to the function its stage variable
    names."""
    api_id = apigw.create_rest_api(name="items")["id"]
    items = apigw.create_resource(restApiId=api_id, parentId=root_of(apigw, api_id),
                                  pathPart="items")["id"]  # fmt: skip
    item = apigw.create_resource(restApiId=api_id, parentId=items, pathPart="{id}")["id"]
    apigw.put_method(restApiId=api_id, resourceId=item, httpMethod="GET",
                     authorizationType="AWS_IAM", apiKeyRequired=True)  # fmt: skip
    fn = function_arn.rsplit(":", 1)[0] + ":${stageVariables.fn}"
    apigw.put_integration(restApiId=api_id, resourceId=item, httpMethod="GET",
                          type="AWS_PROXY", integrationHttpMethod="POST",
                          uri=lambda_uri(fn))  # fmt: skip
    return api_id, item


def test_a_lambda_proxy_method_skips_authorization_and_api_keys(apigw, endpoint):
    lambda_ = client("lambda", endpoint)
    arn = create_api_function(lambda_, "echo", Code={"ZipFile": make_zip({"handler.py": ECHO})})
    api_id, item = _proxy_api(apigw, arn["FunctionArn"])
    apigw.create_deployment(restApiId=api_id, stageName="prod", variables={"fn": "echo"})
    # the stage itself wants a signature and a key
    assert requests.get(f"{stage_url(endpoint, api_id, 'prod')}/items/1", timeout=30
                        ).status_code == 403  # fmt: skip
    answer = _invoke(
        apigw, api_id, item, pathWithQueryString="/items/42?tag=a&tag=b&one=1",
        headers={"X-Custom": "v"}, multiValueHeaders={"X-Multi": ["1", "2"]},
        body='{"hello": "world"}', stageVariables={"fn": "echo"},
    )  # fmt: skip
    assert answer["status"] == 201, answer["log"]
    assert answer["headers"]["X-From"] == "fn"
    assert answer["multiValueHeaders"]["X-Many"] == ["a", "b"]
    event = json.loads(answer["body"])
    assert (event["resource"], event["path"], event["httpMethod"]) == (
        "/items/{id}", "/items/42", "GET",
    )  # fmt: skip
    assert event["pathParameters"] == {"id": "42"}
    assert event["queryStringParameters"] == {"tag": "b", "one": "1"}
    assert event["multiValueQueryStringParameters"]["tag"] == ["a", "b"]
    assert event["headers"]["X-Custom"] == "v"
    assert event["multiValueHeaders"]["X-Multi"] == ["1", "2"]
    assert event["stageVariables"] == {"fn": "echo"}
    assert event["body"] == '{"hello": "world"}'
    context = event["requestContext"]
    assert (context["stage"], context["resourceId"], context["apiId"]) == (
        "test-invoke-stage", item, api_id,
    )  # fmt: skip
    assert context["identity"]["sourceIp"] == "test-invoke-source-ip"
    assert "authorizer" not in context
    log = answer["log"]
    assert (
        "Endpoint request URI: https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/"
        f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:echo/invocations"
    ) in log
    assert '"resource": "/items/{id}"' in log  # the event, as sent
    assert "Endpoint response body before transformations: " in log
    assert "Method completed with status: 201" in log
    # the stage variables given are the ones the URI sees: another function, none there
    missing = _invoke(apigw, api_id, item, pathWithQueryString="/items/1",
                      stageVariables={"fn": "absent"})  # fmt: skip
    assert missing["status"] == 500


def test_the_test_invoke_sees_changes_the_stage_does_not(apigw, endpoint):
    api_id, pet = _mock_api(apigw)
    apigw.create_deployment(restApiId=api_id, stageName="prod", variables={"color": "red"})
    url = f"{stage_url(endpoint, api_id, 'prod')}/pets/3?code=200"
    assert requests.get(url, timeout=30).json()["color"] == "red"
    apigw.put_integration_response(
        restApiId=api_id, resourceId=pet, httpMethod="GET", statusCode="200",
        selectionPattern="", responseTemplates={"application/json": '{"version": 2}'},
    )  # fmt: skip
    root = root_of(apigw, api_id)
    add_method(apigw, api_id, root, "POST", type="MOCK",
               requestTemplates={"application/json": '{"statusCode": 200}'})  # fmt: skip
    apigw.put_method_response(restApiId=api_id, resourceId=root, httpMethod="POST",
                              statusCode="200")  # fmt: skip
    apigw.put_integration_response(restApiId=api_id, resourceId=root, httpMethod="POST",
                                   statusCode="200", selectionPattern="",
                                   responseTemplates={"application/json": "new"})  # fmt: skip
    changed = _invoke(apigw, api_id, pet, pathWithQueryString="/pets/3?code=200")
    assert json.loads(changed["body"]) == {"version": 2}
    added = _invoke(apigw, api_id, root, "POST")
    assert (added["status"], added["body"]) == (200, "new")
    # the stage serves its deployment still
    assert requests.get(url, timeout=30).json()["color"] == "red"
    posted = requests.post(f"{stage_url(endpoint, api_id, 'prod')}/", timeout=30)
    assert posted.status_code == 403  # no such method in the deployment


def test_the_functions_permission_must_name_the_test_invoke_stage(apigw, endpoint):
    lambda_ = client("lambda", endpoint)
    arn = create_function(lambda_, "echo", Code={"ZipFile": make_zip({"handler.py": ECHO})})
    api_id, item = _proxy_api(apigw, arn["FunctionArn"])
    params = {"pathWithQueryString": "/items/1", "stageVariables": {"fn": "echo"}}
    refused = _invoke(apigw, api_id, item, **params)
    assert refused["status"] == 500, refused["log"]
    assert json.loads(refused["body"]) == {"message": "Internal server error"}
    assert "Invalid permissions on Lambda function" in refused["log"]
    base = f"arn:aws:execute-api:us-east-1:{ACCOUNT}:{api_id}"
    lambda_.add_permission(FunctionName="echo", StatementId="prod", Action="lambda:InvokeFunction",
                           Principal="apigateway.amazonaws.com",
                           SourceArn=f"{base}/prod/GET/items/{{id}}")  # fmt: skip
    assert _invoke(apigw, api_id, item, **params)["status"] == 500
    lambda_.add_permission(FunctionName="echo", StatementId="test",
                           Action="lambda:InvokeFunction", Principal="apigateway.amazonaws.com",
                           SourceArn=f"{base}/test-invoke-stage/GET/items/{{id}}")  # fmt: skip
    allowed = _invoke(apigw, api_id, item, **params)
    assert allowed["status"] == 201, allowed["log"]


def test_test_invoke_method_errors(apigw):
    api_id, pet = _mock_api(apigw)

    def refused(**overrides) -> tuple[str, int, str]:
        params = {"restApiId": api_id, "resourceId": pet, "httpMethod": "GET", **overrides}
        with pytest.raises(ClientError) as error:
            apigw.test_invoke_method(**params)
        return error_of(error)

    assert refused(restApiId="nosuchapi1") == (
        "NotFoundException", 404, f"Invalid API identifier specified {ACCOUNT}:nosuchapi1",
    )  # fmt: skip
    assert refused(resourceId="nosuch") == (
        "NotFoundException", 404, "Invalid Resource identifier specified",
    )  # fmt: skip
    assert refused(httpMethod="DELETE") == (
        "NotFoundException", 404, "Invalid Method identifier specified",
    )  # fmt: skip
    apigw.put_method(restApiId=api_id, resourceId=pet, httpMethod="PUT",
                     authorizationType="NONE")  # fmt: skip
    assert refused(httpMethod="PUT") == (
        "BadRequestException", 400, "No integration defined for method",
    )  # fmt: skip
    assert refused(clientCertificateId="abc123") == (
        "NotFoundException", 404, "Invalid Client Certificate identifier specified",
    )  # fmt: skip


@pytest.fixture
def authorizer_arn(endpoint) -> str:
    lambda_ = client("lambda", endpoint)
    made = create_api_function(lambda_, "auth",
                               Code={"ZipFile": make_zip({"handler.py": AUTHORIZER})})  # fmt: skip
    return str(made["FunctionArn"])


def _authorize(apigw, api_id: str, authorizer_id: str, **params):
    return apigw.test_invoke_authorizer(restApiId=api_id, authorizerId=authorizer_id, **params)


def test_a_token_authorizer_allowing_and_denying(apigw, authorizer_arn):
    api_id = apigw.create_rest_api(name="guarded")["id"]
    made = apigw.create_authorizer(
        restApiId=api_id, name="tok", type="TOKEN", authorizerUri=lambda_uri(authorizer_arn),
        identitySource="method.request.header.Authorization",
    )  # fmt: skip
    allowed = _authorize(apigw, api_id, made["id"], headers={"Authorization": "allow"})
    assert allowed["clientStatus"] == 200, allowed["log"]
    assert allowed["principalId"] == "user-allow"
    policy = json.loads(allowed["policy"])
    assert policy["Statement"][0]["Effect"] == "Allow"
    assert allowed["authorization"]["who"] == ["allow"]
    assert allowed["authorization"]["admin"] == ["true"]
    assert "claims" not in allowed
    event = json.loads(allowed["authorization"]["event"][0])
    assert (event["type"], event["authorizationToken"]) == ("TOKEN", "allow")
    assert event["methodArn"] == (
        f"arn:aws:execute-api:us-east-1:{ACCOUNT}:{api_id}/ESTestInvoke-stage/GET/"
    )
    log = allowed["log"]
    assert f"Starting authorizer: {made['id']}" in log and "Incoming identity: allow" in log
    assert "Using valid authorizer policy for principal: user-allow" in log
    # never cached, though the authorizer's TTL is 300 s
    again = _authorize(apigw, api_id, made["id"], headers={"Authorization": "allow"})
    assert again["authorization"]["answer"] != allowed["authorization"]["answer"]

    denied = _authorize(apigw, api_id, made["id"], headers={"Authorization": "deny"})
    assert denied["clientStatus"] == 403, denied["log"]
    assert denied["principalId"] == "user-deny"
    assert json.loads(denied["policy"])["Statement"][0]["Effect"] == "Deny"
    unauthorized = _authorize(apigw, api_id, made["id"], headers={"Authorization": "unauthorized"})
    assert unauthorized["clientStatus"] == 401 and "policy" not in unauthorized
    missing = _authorize(apigw, api_id, made["id"])
    assert missing["clientStatus"] == 401
    assert "Endpoint request URI" not in missing["log"]  # the function is not invoked
    failed = _authorize(apigw, api_id, made["id"], headers={"Authorization": "boom"})
    assert failed["clientStatus"] == 500
    assert "Authorizer error" in failed["log"]


def test_a_request_authorizer(apigw, authorizer_arn):
    api_id = apigw.create_rest_api(name="guarded")["id"]
    made = apigw.create_authorizer(
        restApiId=api_id, name="req", type="REQUEST", authorizerUri=lambda_uri(authorizer_arn),
        identitySource=("method.request.header.X-User, method.request.querystring.q, "
                        "stageVariables.v, context.extra"),
    )  # fmt: skip
    params = {
        "headers": {"X-User": "allow"}, "pathWithQueryString": "/things/1?q=z",
        "stageVariables": {"v": "1"}, "additionalContext": {"extra": "e"},
    }  # fmt: skip
    allowed = _authorize(apigw, api_id, made["id"], **params)
    assert allowed["clientStatus"] == 200, allowed["log"]
    event = json.loads(allowed["authorization"]["event"][0])
    assert event["type"] == "REQUEST"
    assert (event["path"], event["httpMethod"]) == ("/things/1", "GET")
    assert event["queryStringParameters"] == {"q": "z"}
    assert event["stageVariables"] == {"v": "1"}
    assert event["headers"]["X-User"] == "allow"
    assert event["requestContext"]["extra"] == "e"
    assert event["methodArn"].endswith(f"{api_id}/ESTestInvoke-stage/GET/things/1")
    denied = _authorize(apigw, api_id, made["id"], **{**params, "headers": {"X-User": "deny"}})
    assert denied["clientStatus"] == 403
    no_query = _authorize(apigw, api_id, made["id"], **{**params, "pathWithQueryString": "/"})
    assert no_query["clientStatus"] == 401
    no_context = _authorize(apigw, api_id, made["id"], **{**params, "additionalContext": {}})
    assert no_context["clientStatus"] == 401


def test_test_invoke_authorizer_permission_and_errors(apigw, endpoint):
    lambda_ = client("lambda", endpoint)
    arn = create_function(lambda_, "auth", Code={"ZipFile": make_zip({"handler.py": AUTHORIZER})})
    api_id = apigw.create_rest_api(name="guarded")["id"]
    made = apigw.create_authorizer(
        restApiId=api_id, name="tok", type="TOKEN",
        authorizerUri=lambda_uri(arn["FunctionArn"]),
        identitySource="method.request.header.Authorization",
    )  # fmt: skip
    headers = {"Authorization": "allow"}
    refused = _authorize(apigw, api_id, made["id"], headers=headers)
    assert refused["clientStatus"] == 500
    assert "Invalid permissions on Lambda function" in refused["log"]
    lambda_.add_permission(
        FunctionName="auth", StatementId="authorizer", Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:us-east-1:{ACCOUNT}:{api_id}/authorizers/{made['id']}",
    )  # fmt: skip
    assert _authorize(apigw, api_id, made["id"], headers=headers)["clientStatus"] == 200

    def error(**overrides) -> tuple[str, int, str]:
        params = {"restApiId": api_id, "authorizerId": made["id"], **overrides}
        with pytest.raises(ClientError) as raised:
            apigw.test_invoke_authorizer(**params)
        return error_of(raised)

    assert error(restApiId="nosuchapi1")[:2] == ("NotFoundException", 404)
    assert error(authorizerId="nosuch") == (
        "NotFoundException", 404, "Invalid Authorizer identifier specified",
    )  # fmt: skip
    cognito = apigw.create_authorizer(
        restApiId=api_id, name="pool", type="COGNITO_USER_POOLS",
        providerARNs=[f"arn:aws:cognito-idp:us-east-1:{ACCOUNT}:userpool/us-east-1_x"],
    )  # fmt: skip
    code, status, message = error(authorizerId=cognito["id"])
    assert (code, status) == ("BadRequestException", 400)
    assert "COGNITO_USER_POOLS" in message and "Lamina does not support" in message
