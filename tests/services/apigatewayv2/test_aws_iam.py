"""AWS_IAM routes of HTTP APIs: a request SigV4-signed for execute-api goes through when the
signer's IAM policies allow execute-api:Invoke on the route's ARN, the signer in
requestContext.authorizer.iam; unsigned or not allowed: 403 {"message":"Forbidden"}."""

from __future__ import annotations

import json

import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.conftest import client
from tests.services.apigatewayv2.helpers import apigw, echo_function


def _signed(url: str, key: str, secret: str, method: str = "GET") -> requests.Response:
    request = AWSRequest(method=method, url=url, headers={})
    SigV4Auth(Credentials(key, secret), "execute-api", "us-east-1").add_auth(request)
    return requests.request(method, url, headers=dict(request.headers), timeout=60)


def _policy(effect: str, resource: str) -> str:
    statement = {"Effect": effect, "Action": "execute-api:Invoke", "Resource": resource}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def test_aws_iam_routes_evaluate_the_signers_policies(endpoint, lambda_client):
    api = apigw(endpoint)
    function = echo_function(lambda_client)
    api_id = api.create_api(Name="iam", ProtocolType="HTTP")["ApiId"]
    target = api.create_integration(
        ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=function,
        PayloadFormatVersion="2.0",
    )  # fmt: skip
    for key in ("GET /items/{id}", "DELETE /items/{id}"):
        api.create_route(ApiId=api_id, RouteKey=key, AuthorizationType="AWS_IAM",
                         Target=f"integrations/{target['IntegrationId']}")  # fmt: skip
    route = api.get_routes(ApiId=api_id)["Items"][0]
    assert route["AuthorizationType"] == "AWS_IAM" and "AuthorizerId" not in route
    lambda_client.add_permission(
        FunctionName="echo", StatementId="api", Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:us-east-1:000000000000:{api_id}/*",
    )  # fmt: skip
    api.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
    iam = client("iam", endpoint)
    user = iam.create_user(UserName="caller")["User"]
    keys = iam.create_access_key(UserName="caller")["AccessKey"]
    key, secret = keys["AccessKeyId"], keys["SecretAccessKey"]
    url = f"{endpoint}/_aws/execute-api/{api_id}/items/7"
    forbidden = (403, {"message": "Forbidden"})

    unsigned = requests.get(url, timeout=60)
    assert (unsigned.status_code, unsigned.json()) == forbidden
    denied = _signed(url, key, secret)
    assert (denied.status_code, denied.json()) == forbidden
    routes = f"arn:aws:execute-api:us-east-1:000000000000:{api_id}/$default"
    iam.put_user_policy(UserName="caller", PolicyName="items",
                        PolicyDocument=_policy("Allow", f"{routes}/*/items/*"))  # fmt: skip
    allowed = _signed(url, key, secret)
    assert allowed.status_code == 200, allowed.text
    found = allowed.json()["requestContext"]["authorizer"]["iam"]
    assert (found["accessKey"], found["userArn"], found["userId"]) == (
        key, user["Arn"], user["UserId"],
    )  # fmt: skip
    assert found["accountId"] == "000000000000"
    iam.put_user_policy(UserName="caller", PolicyName="no-delete",
                        PolicyDocument=_policy("Deny", f"{routes}/DELETE/*"))  # fmt: skip
    refused = _signed(url, key, secret, "DELETE")
    assert (refused.status_code, refused.json()) == forbidden
    assert _signed(url, key, secret).status_code == 200
    wrong = _signed(url, key, "not-the-secret")
    assert wrong.status_code == 403
    assert wrong.json()["message"].startswith("The request signature we calculated")
