"""Lambda authorizers of REST APIs: the control plane through boto3, and over HTTP the TOKEN and
REQUEST events as AWS builds them, the policy evaluated for the method ARN (wildcards, Deny
winning), 401/403/500 as AWS answers them, principalId and context in the proxy event, answers
kept per identity for the TTL, and usageIdentifierKey with apiKeySource AUTHORIZER."""

from __future__ import annotations

import json

import pytest
import requests
from botocore.exceptions import ClientError

from tests.conftest import client, error_of, make_zip
from tests.services.apigateway.conftest import create_api_function, lambda_uri, root_of, stage_url

ECHO = """
import json
def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event)}
"""

AUTHORIZER = """
import json
import uuid
CALLS = [0]

def handler(event, context):
    CALLS[0] += 1
    token = event.get("authorizationToken") or (event.get("headers") or {}).get("X-User", "")
    arn = event["methodArn"]
    if token == "unauthorized":
        raise Exception("Unauthorized")
    if token == "boom":
        raise RuntimeError("boom")
    if token == "malformed":
        return {"principalId": "x"}
    base = arn.split("/", 1)[0]
    statements = [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": arn}]
    if token == "wildcard":
        statements = [{"Action": "execute-api:*", "Effect": "Allow",
                       "Resource": base + "/prod/GET/thing?/*"}]
    if token == "deny":
        statements.append({"Action": "execute-api:Invoke", "Effect": "Deny",
                           "Resource": base + "/*"})
    if token == "elsewhere":
        statements = [{"Action": "execute-api:Invoke", "Effect": "Allow",
                       "Resource": base + "/prod/POST/*"}]
    answer = {"principalId": "user-" + token,
              "policyDocument": {"Version": "2012-10-17", "Statement": statements},
              "context": {"calls": CALLS[0], "admin": True, "event": json.dumps(event),
                          "answer": uuid.uuid4().hex}}
    if token.startswith("key:"):
        answer["usageIdentifierKey"] = token[4:]
    return answer
"""


@pytest.fixture
def functions(endpoint):
    lambda_ = client("lambda", endpoint)
    echo = create_api_function(lambda_, "echo", Code={"ZipFile": make_zip({"handler.py": ECHO})})
    auth = create_api_function(
        lambda_, "auth", Code={"ZipFile": make_zip({"handler.py": AUTHORIZER})}
    )
    return echo["FunctionArn"], auth["FunctionArn"]


def _api(apigw, echo_arn: str, authorizer: dict, key_source: str = "HEADER", keyed: bool = False):
    """GET /things/{id} behind the authorizer made from `authorizer`; deployed as prod."""
    api_id = apigw.create_rest_api(name="guarded", apiKeySource=key_source)["id"]
    made = apigw.create_authorizer(restApiId=api_id, **authorizer)
    things = apigw.create_resource(restApiId=api_id, parentId=root_of(apigw, api_id),
                                   pathPart="things")["id"]  # fmt: skip
    thing = apigw.create_resource(restApiId=api_id, parentId=things, pathPart="{id}")["id"]
    apigw.put_method(restApiId=api_id, resourceId=thing, httpMethod="GET",
                     authorizationType="CUSTOM", authorizerId=made["id"],
                     apiKeyRequired=keyed)  # fmt: skip
    apigw.put_integration(restApiId=api_id, resourceId=thing, httpMethod="GET",
                          type="AWS_PROXY", integrationHttpMethod="POST",
                          uri=lambda_uri(echo_arn))  # fmt: skip
    apigw.create_deployment(restApiId=api_id, stageName="prod", variables={"v": "1"})
    return api_id, made


def test_authorizers_control_plane(apigw, functions):
    _, auth_arn = functions
    api_id = apigw.create_rest_api(name="a")["id"]
    made = apigw.create_authorizer(
        restApiId=api_id, name="tok", type="TOKEN", authorizerUri=lambda_uri(auth_arn),
        identitySource="method.request.header.Authorization",
        identityValidationExpression="^Bearer .+$",
    )  # fmt: skip
    assert made["authorizerResultTtlInSeconds"] == 300 and made["authType"] == "custom"
    assert apigw.get_authorizer(restApiId=api_id, authorizerId=made["id"])["name"] == "tok"
    request = apigw.create_authorizer(
        restApiId=api_id, name="req", type="REQUEST", authorizerUri=lambda_uri(auth_arn),
        identitySource="method.request.header.X-User,method.request.querystring.q",
        authorizerResultTtlInSeconds=0,
    )  # fmt: skip
    assert request["identitySource"] == (
        "method.request.header.X-User, method.request.querystring.q"
    )
    items = apigw.get_authorizers(restApiId=api_id)["items"]
    assert [a["name"] for a in items] == ["tok", "req"]
    updated = apigw.update_authorizer(
        restApiId=api_id, authorizerId=made["id"],
        patchOperations=[{"op": "replace", "path": "/authorizerResultTtlInSeconds", "value": "60"}],
    )  # fmt: skip
    assert updated["authorizerResultTtlInSeconds"] == 60

    def refused(**overrides) -> tuple[str, int, str]:
        params = {"restApiId": api_id, "name": "bad", "type": "TOKEN",
                  "authorizerUri": lambda_uri(auth_arn),
                  "identitySource": "method.request.header.Authorization", **overrides}  # fmt: skip
        with pytest.raises(ClientError) as error:
            apigw.create_authorizer(**params)
        return error_of(error)

    assert refused(authorizerUri="arn:aws:lambda:us-east-1:000000000000:function:x")[1] == 400
    assert refused(identitySource="method.request.querystring.q")[1] == 400  # TOKEN: a header
    assert refused(authorizerResultTtlInSeconds=4000)[1] == 400
    # A method using it keeps it; once free it goes.
    root = root_of(apigw, api_id)
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                     authorizationType="CUSTOM", authorizerId=made["id"])  # fmt: skip
    with pytest.raises(ClientError) as used:
        apigw.delete_authorizer(restApiId=api_id, authorizerId=made["id"])
    assert error_of(used)[:2] == ("ConflictException", 409)
    apigw.delete_method(restApiId=api_id, resourceId=root, httpMethod="GET")
    apigw.delete_authorizer(restApiId=api_id, authorizerId=made["id"])
    with pytest.raises(ClientError) as gone:
        apigw.get_authorizer(restApiId=api_id, authorizerId=made["id"])
    assert error_of(gone) == ("NotFoundException", 404, "Invalid Authorizer identifier specified")


def test_token_authorizer_event_policy_and_answers(apigw, endpoint, functions):
    echo_arn, auth_arn = functions
    api_id, _ = _api(apigw, echo_arn, {
        "name": "tok", "type": "TOKEN", "authorizerUri": lambda_uri(auth_arn),
        "identitySource": "method.request.header.Authorization",
        "identityValidationExpression": "^[a-z:0-9-]+$",
    })  # fmt: skip
    url = f"{stage_url(endpoint, api_id, 'prod')}/things/1"

    def get(token: str | None, path: str = "") -> requests.Response:
        headers = {} if token is None else {"Authorization": token}
        return requests.get(url + path, headers=headers, timeout=30)

    allowed = get("allow")
    assert allowed.status_code == 200, allowed.text
    context = allowed.json()["requestContext"]["authorizer"]
    assert context["principalId"] == "user-allow"
    assert context["admin"] is True and isinstance(context["integrationLatency"], int)
    arn = f"arn:aws:execute-api:us-east-1:000000000000:{api_id}/prod/GET/things/1"
    assert json.loads(context["event"]) == {
        "type": "TOKEN", "methodArn": arn, "authorizationToken": "allow",
    }  # fmt: skip
    # Kept for the TTL: the function is not asked again for the same token.
    assert get("allow").json()["requestContext"]["authorizer"]["answer"] == context["answer"]
    assert get("wildcard").status_code == 200  # execute-api:* and GET/thing?/*
    # FlushStageAuthorizersCache: the next request asks the function again
    apigw.flush_stage_authorizers_cache(restApiId=api_id, stageName="prod")
    assert get("allow").json()["requestContext"]["authorizer"]["answer"] != context["answer"]
    with pytest.raises(ClientError) as error:
        apigw.flush_stage_authorizers_cache(restApiId=api_id, stageName="nosuch")
    assert error_of(error)[:2] == ("NotFoundException", 404)

    for token, status, body in (
        (None, 401, {"message": "Unauthorized"}),
        ("Not-Valid!", 401, {"message": "Unauthorized"}),  # fails the validation expression
        ("unauthorized", 401, {"message": "Unauthorized"}),
        ("deny", 403, {"Message": "User is not authorized to access this resource with an "
                                  "explicit deny"}),
        ("elsewhere", 403, {"Message": "User is not authorized to access this resource"}),
        ("boom", 500, {"message": None}),
        ("malformed", 500, {"message": None}),
    ):  # fmt: skip
        answer = get(token)
        assert (answer.status_code, answer.json()) == (status, body), token
    assert get("boom").headers["x-amzn-ErrorType"] == "AuthorizerConfigurationException"


def test_request_authorizer_event_and_identity_sources(apigw, endpoint, functions):
    echo_arn, auth_arn = functions
    api_id, _ = _api(apigw, echo_arn, {
        "name": "req", "type": "REQUEST", "authorizerUri": lambda_uri(auth_arn),
        "identitySource": "method.request.header.X-User, method.request.querystring.q, "
                          "stageVariables.v",
        "authorizerResultTtlInSeconds": 0,
    })  # fmt: skip
    url = f"{stage_url(endpoint, api_id, 'prod')}/things/7"
    missing = requests.get(url, headers={"X-User": "allow"}, timeout=30)  # no ?q=
    assert (missing.status_code, missing.json()) == (401, {"message": "Unauthorized"})
    answer = requests.get(url, params={"q": "1"}, headers={"X-User": "allow"}, timeout=30)
    assert answer.status_code == 200, answer.text
    context = answer.json()["requestContext"]["authorizer"]
    event = json.loads(context["event"])
    assert event["type"] == "REQUEST"
    assert (
        event["methodArn"]
        == f"arn:aws:execute-api:us-east-1:000000000000:{api_id}/prod/GET/things/7"
    )
    assert (event["resource"], event["path"], event["httpMethod"]) == (
        "/things/{id}", "/things/7", "GET",
    )  # fmt: skip
    assert event["headers"]["X-User"] == "allow"
    assert event["multiValueHeaders"]["X-User"] == ["allow"]
    assert event["queryStringParameters"] == {"q": "1"}
    assert event["pathParameters"] == {"id": "7"}
    assert event["stageVariables"] == {"v": "1"}
    assert event["requestContext"]["resourcePath"] == "/things/{id}"
    assert "body" not in event
    # TTL 0: asked every time.
    again = requests.get(url, params={"q": "1"}, headers={"X-User": "allow"}, timeout=30)
    assert again.json()["requestContext"]["authorizer"]["calls"] == context["calls"] + 1


def test_api_key_from_the_authorizer(apigw, endpoint, functions):
    echo_arn, auth_arn = functions
    api_id, _ = _api(apigw, echo_arn, {
        "name": "tok", "type": "TOKEN", "authorizerUri": lambda_uri(auth_arn),
        "identitySource": "method.request.header.Authorization",
    }, key_source="AUTHORIZER", keyed=True)  # fmt: skip
    key = apigw.create_api_key(name="k", enabled=True, value="k" * 25)
    plan = apigw.create_usage_plan(name="p", apiStages=[{"apiId": api_id, "stage": "prod"}])
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    url = f"{stage_url(endpoint, api_id, 'prod')}/things/1"
    # The header is not where the key is taken from here.
    plain = requests.get(url, headers={"Authorization": "allow", "x-api-key": "k" * 25}, timeout=30)
    assert (plain.status_code, plain.json()) == (403, {"message": "Forbidden"})
    answer = requests.get(url, headers={"Authorization": "key:" + "k" * 25}, timeout=30)
    assert answer.status_code == 200, answer.text
    identity = answer.json()["requestContext"]["identity"]
    assert (identity["apiKey"], identity["apiKeyId"]) == ("k" * 25, key["id"])


def test_cognito_user_pools_authorizers_are_kept_and_refused_on_the_data_plane(
    apigw, endpoint, functions
):
    echo_arn, _ = functions
    pool = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_abc"
    api_id, made = _api(apigw, echo_arn, {
        "name": "pool", "type": "COGNITO_USER_POOLS", "providerARNs": [pool],
        "identitySource": "method.request.header.Authorization",
    })  # fmt: skip
    assert made["providerARNs"] == [pool] and made["authType"] == "cognito_user_pools"
    answer = requests.get(
        f"{stage_url(endpoint, api_id, 'prod')}/things/1", headers={"Authorization": "t"},
        timeout=30,
    )  # fmt: skip
    assert answer.status_code == 500 and "COGNITO_USER_POOLS" in answer.json()["message"]
