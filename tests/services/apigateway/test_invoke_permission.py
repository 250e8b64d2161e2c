"""API Gateway invokes a function only with its permission, as on AWS: without the function's
resource-based policy allowing apigateway.amazonaws.com lambda:InvokeFunction for the API (or
the integration's role trusting apigateway.amazonaws.com), the client gets the gateway's 500
and the server says once, per API and function, what is missing."""

from __future__ import annotations

import json

import requests

from tests.conftest import client, create_function, make_zip
from tests.services.apigateway.conftest import lambda_uri, root_of, stage_url
from tests.services.apigatewayv2.helpers import apigw as apigwv2

HELLO = """
def handler(event, context):
    return {"statusCode": 200, "body": "hello"}
"""


def _rest_api(apigw, arn: str, **integration) -> str:
    api_id = apigw.create_rest_api(name="permission")["id"]
    root = root_of(apigw, api_id)
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                     authorizationType="NONE")  # fmt: skip
    apigw.put_integration(
        restApiId=api_id, resourceId=root, httpMethod="GET", type="AWS_PROXY",
        integrationHttpMethod="POST", uri=lambda_uri(arn), **integration,
    )  # fmt: skip
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    return api_id


def test_a_rest_api_needs_the_functions_permission(apigw, endpoint, server):
    lambda_ = client("lambda", endpoint)
    arn = create_function(lambda_, "hello", Code={"ZipFile": make_zip({"handler.py": HELLO})})
    api_id = _rest_api(apigw, arn["FunctionArn"])
    url = f"{stage_url(endpoint, api_id, 'prod')}/"
    for _ in range(2):
        refused = requests.get(url, timeout=60)
        assert (refused.status_code, refused.json()) == (500, {"message": "Internal server error"})
    warned = [line for line in server.log_path.read_text().splitlines()
              if f"API {api_id}: Invalid permissions on Lambda function" in line]  # fmt: skip
    assert len(warned) == 1 and "add-permission" in warned[0]
    # a permission for another API does not do
    other = "arn:aws:execute-api:us-east-1:000000000000:otherapi1/*"
    lambda_.add_permission(FunctionName="hello", StatementId="other",
                           Action="lambda:InvokeFunction", Principal="apigateway.amazonaws.com",
                           SourceArn=other)  # fmt: skip
    assert requests.get(url, timeout=60).status_code == 500
    lambda_.add_permission(
        FunctionName="hello", StatementId="this", Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:us-east-1:000000000000:{api_id}/*/GET/",
    )  # fmt: skip
    answer = requests.get(url, timeout=60)
    assert (answer.status_code, answer.text) == (200, "hello")
    lambda_.remove_permission(FunctionName="hello", StatementId="this")
    assert requests.get(url, timeout=60).status_code == 500


def test_with_credentials_the_role_must_trust_api_gateway(apigw, endpoint):
    lambda_ = client("lambda", endpoint)
    iam = client("iam", endpoint)

    def role(name: str, service: str) -> str:
        statement = {"Effect": "Allow", "Principal": {"Service": service},
                     "Action": "sts:AssumeRole"}  # fmt: skip
        trust = {"Version": "2012-10-17", "Statement": [statement]}
        made = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
        return str(made["Role"]["Arn"])

    role("lambda-role", "lambda.amazonaws.com")  # the function's own execution role
    arn = create_function(lambda_, "hello", Code={"ZipFile": make_zip({"handler.py": HELLO})})
    untrusting = _rest_api(
        apigw, arn["FunctionArn"], credentials=role("other", "ec2.amazonaws.com")
    )
    missing = _rest_api(apigw, arn["FunctionArn"],
                        credentials="arn:aws:iam::000000000000:role/missing")  # fmt: skip
    trusting = _rest_api(apigw, arn["FunctionArn"],
                         credentials=role("gateway", "apigateway.amazonaws.com"))  # fmt: skip
    for api_id in (untrusting, missing):
        refused = requests.get(f"{stage_url(endpoint, api_id, 'prod')}/", timeout=60)
        assert refused.status_code == 500, api_id
    answer = requests.get(f"{stage_url(endpoint, trusting, 'prod')}/", timeout=60)
    assert (answer.status_code, answer.text) == (200, "hello")


def test_an_http_api_needs_the_functions_permission(endpoint):
    lambda_ = client("lambda", endpoint)
    arn = create_function(lambda_, "hello", Code={"ZipFile": make_zip({"handler.py": HELLO})})
    api = apigwv2(endpoint)
    api_id = api.create_api(Name="p", ProtocolType="HTTP", Target=arn["FunctionArn"])["ApiId"]
    url = f"{endpoint}/_aws/execute-api/{api_id}/anything"
    refused = requests.get(url, timeout=60)
    assert (refused.status_code, refused.json()) == (500, {"message": "Internal Server Error"})
    lambda_.add_permission(
        FunctionName="hello", StatementId="api", Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com", SourceAccount="000000000000",
        SourceArn=f"arn:aws:execute-api:us-east-1:000000000000:{api_id}/*/$default",
    )  # fmt: skip
    answer = requests.get(url, timeout=60)
    assert (answer.status_code, answer.text) == (200, "hello")


ALLOW_ALL = """
def handler(event, context):
    statement = {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "*"}
    return {"principalId": "me",
            "policyDocument": {"Version": "2012-10-17", "Statement": [statement]}}
"""


def test_a_lambda_authorizer_needs_its_functions_permission(apigw, endpoint):
    lambda_ = client("lambda", endpoint)
    hello = create_function(lambda_, "hello", Code={"ZipFile": make_zip({"handler.py": HELLO})})
    auth = create_function(lambda_, "auth", Code={"ZipFile": make_zip({"handler.py": ALLOW_ALL})})
    api_id = _rest_api(apigw, hello["FunctionArn"])
    made = apigw.create_authorizer(
        restApiId=api_id, name="tok", type="TOKEN", authorizerUri=lambda_uri(auth["FunctionArn"]),
        identitySource="method.request.header.Authorization", authorizerResultTtlInSeconds=0,
    )  # fmt: skip
    root = root_of(apigw, api_id)
    apigw.update_method(restApiId=api_id, resourceId=root, httpMethod="GET", patchOperations=[
        {"op": "replace", "path": "/authorizationType", "value": "CUSTOM"},
        {"op": "replace", "path": "/authorizerId", "value": made["id"]},
    ])  # fmt: skip
    lambda_.add_permission(
        FunctionName="hello", StatementId="api", Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:us-east-1:000000000000:{api_id}/*/GET/",
    )  # fmt: skip
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    url = f"{stage_url(endpoint, api_id, 'prod')}/"
    refused = requests.get(url, headers={"Authorization": "t"}, timeout=60)
    assert refused.status_code == 500
    assert refused.headers["x-amzn-ErrorType"] == "AuthorizerConfigurationException"
    lambda_.add_permission(
        FunctionName="auth", StatementId="api", Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:us-east-1:000000000000:{api_id}/authorizers/{made['id']}",
    )  # fmt: skip
    answer = requests.get(url, headers={"Authorization": "t"}, timeout=60)
    assert (answer.status_code, answer.text) == (200, "hello")
