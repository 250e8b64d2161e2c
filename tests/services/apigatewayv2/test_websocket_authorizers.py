"""Authorization of WebSocket APIs' `$connect` route, through the real `websockets` client:
a REQUEST Lambda authorizer (its event, its IAM policy; 401, 403, 500 to the upgrade; its
context and principalId in requestContext.authorizer of every event of the connection), and
AWS_IAM (the upgrade SigV4-signed by headers or a presigned URL, the signer's policies
deciding). A function is invoked only once its resource policy lets API Gateway."""

from __future__ import annotations

import json

import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.conftest import client, create_function, make_zip
from tests.services.apigatewayv2.helpers import ARN, allow_apigateway, apigw
from tests.services.apigatewayv2.test_websocket import _events

# The authorizer (type REQUEST) decides by the Auth header; as the integration it reports
# $connect and $disconnect to the queue and answers a message with requestContext.authorizer.
HANDLER = """
import json, os
import boto3

def handler(event, context):
    def report():
        boto3.client("sqs", endpoint_url=os.environ["AWS_ENDPOINT_URL"]).send_message(
            QueueUrl=os.environ["QUEUE_URL"], MessageBody=json.dumps(event))
    if event.get("type") == "REQUEST":
        report()
        auth = event["headers"].get("Auth")
        if auth == "fail":
            raise ValueError("boom")
        effect = "Allow" if auth == "allow" else "Deny"
        statement = {"Action": "execute-api:Invoke", "Effect": effect,
                     "Resource": event["methodArn"]}
        return {"principalId": "ann", "context": {"team": "blue"},
                "policyDocument": {"Version": "2012-10-17", "Statement": [statement]}}
    key = event["requestContext"]["routeKey"]
    if key in ("$connect", "$disconnect"):
        report()
        return {"statusCode": 200}
    return {"statusCode": 200, "body": json.dumps(event["requestContext"].get("authorizer"))}
"""
URI = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{}/invocations"


def _api(endpoint: str, lambda_client, authorization: dict) -> tuple[str, str]:
    """A WebSocket API on stage `dev` whose routes go to the function (without API Gateway's
    permission yet), `$connect` authorized as asked; its id and queue."""
    queue = client("sqs", endpoint).create_queue(QueueName="ws-auth")["QueueUrl"]
    create_function(
        lambda_client, "wsauth", Code={"ZipFile": make_zip({"handler.py": HANDLER})},
        Environment={"Variables": {"QUEUE_URL": queue}},
    )  # fmt: skip
    api = apigw(endpoint)
    api_id = api.create_api(
        Name="guarded", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action"
    )["ApiId"]
    target = (
        "integrations/"
        + api.create_integration(
            ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=f"{ARN}:wsauth"
        )["IntegrationId"]
    )
    if authorization.get("AuthorizationType") == "CUSTOM":
        authorizer = api.create_authorizer(
            ApiId=api_id, Name="by-header", AuthorizerType="REQUEST",
            IdentitySource=["route.request.header.Auth"],
            AuthorizerUri=URI.format(f"{ARN}:wsauth"),
        )  # fmt: skip
        authorization = {**authorization, "AuthorizerId": authorizer["AuthorizerId"]}
    api.create_route(ApiId=api_id, RouteKey="$connect", Target=target, **authorization)
    api.create_route(ApiId=api_id, RouteKey="$disconnect", Target=target)
    default = api.create_route(
        ApiId=api_id, RouteKey="$default", Target=target,
        RouteResponseSelectionExpression="$default",
    )  # fmt: skip
    api.create_route_response(ApiId=api_id, RouteId=default["RouteId"], RouteResponseKey="$default")
    with pytest.raises(ClientError) as bad:  # AWS authorizes `$connect` only
        api.update_route(ApiId=api_id, RouteId=default["RouteId"], **authorization)
    assert bad.value.response["Error"]["Message"] == (
        "Currently, authorization is restricted to the $connect route only"
    )
    api.create_stage(ApiId=api_id, StageName="dev", StageVariables={"tier": "gold"})
    api.create_deployment(ApiId=api_id, StageName="dev")
    return api_id, queue


def _refused(url: str, **kwargs) -> int:
    with pytest.raises(InvalidStatus) as refused:
        connect(url, open_timeout=60, **kwargs)
    return refused.value.response.status_code


def test_a_lambda_authorizer_admits_the_connection_and_its_context_stays(endpoint, lambda_client):
    api_id, queue = _api(endpoint, lambda_client, {"AuthorizationType": "CUSTOM"})
    url = f"{endpoint.replace('http', 'ws', 1)}/_aws/execute-api/{api_id}/dev?room=7"

    # the function does not let API Gateway invoke it yet: the authorizer fails
    assert _refused(url, additional_headers={"Auth": "allow"}) == 500
    allow_apigateway(lambda_client, "wsauth")
    assert _refused(url) == 401  # the identity source missing: the authorizer is not asked
    assert _refused(url, additional_headers={"Auth": "deny"}) == 403
    assert _refused(url, additional_headers={"Auth": "fail"}) == 500
    asked = _events(endpoint, queue, 2)  # the deny and the fail: no $connect followed
    assert sorted(e["headers"]["Auth"] for e in asked) == ["deny", "fail"]

    with connect(url, additional_headers={"Auth": "allow"}, open_timeout=60) as ws:
        events = _events(endpoint, queue, 2)
        authorizer_event, connect_event = sorted(events, key=lambda e: "type" not in e)
        assert authorizer_event["type"] == "REQUEST"
        assert authorizer_event["methodArn"] == (
            f"arn:aws:execute-api:us-east-1:000000000000:{api_id}/dev/$connect"
        )
        assert authorizer_event["multiValueHeaders"]["Auth"] == ["allow"]
        assert authorizer_event["queryStringParameters"] == {"room": "7"}
        assert authorizer_event["stageVariables"] == {"tier": "gold"}
        context = authorizer_event["requestContext"]
        assert (context["routeKey"], context["eventType"]) == ("$connect", "CONNECT")
        assert context["connectionId"] == connect_event["requestContext"]["connectionId"]
        assert "isBase64Encoded" not in authorizer_event

        found = {"team": "blue", "principalId": "ann"}
        assert connect_event["requestContext"]["authorizer"] == found
        ws.send(json.dumps({"action": "anything"}))
        assert json.loads(ws.recv(timeout=60)) == found  # a MESSAGE event carries it too
    (disconnect_event,) = _events(endpoint, queue, 1)
    assert disconnect_event["requestContext"]["eventType"] == "DISCONNECT"
    assert disconnect_event["requestContext"]["authorizer"] == found


def _policy(effect: str, resource: str) -> str:
    statement = {"Effect": effect, "Action": "execute-api:Invoke", "Resource": resource}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def test_aws_iam_wants_the_upgrade_signed_by_an_allowed_caller(endpoint, lambda_client):
    api_id, queue = _api(endpoint, lambda_client, {"AuthorizationType": "AWS_IAM"})
    url = f"{endpoint.replace('http', 'ws', 1)}/_aws/execute-api/{api_id}/dev"
    iam = client("iam", endpoint)
    iam.create_user(UserName="ws-caller")
    keys = iam.create_access_key(UserName="ws-caller")["AccessKey"]
    credentials = Credentials(keys["AccessKeyId"], keys["SecretAccessKey"])

    def presigned() -> str:
        request = AWSRequest(method="GET", url=url)
        SigV4QueryAuth(credentials, "execute-api", "us-east-1", expires=300).add_auth(request)
        return request.url

    def signed_headers() -> dict[str, str]:
        request = AWSRequest(method="GET", url=url.replace("ws", "http", 1))
        SigV4Auth(credentials, "execute-api", "us-east-1").add_auth(request)
        return {k: v for k, v in request.headers.items() if k.lower() != "host"}

    assert _refused(url) == 403  # unsigned
    assert _refused(presigned()) == 403  # no policy allows the caller
    arn = f"arn:aws:execute-api:us-east-1:000000000000:{api_id}/dev/$connect"
    iam.put_user_policy(UserName="ws-caller", PolicyName="connect",
                        PolicyDocument=_policy("Allow", arn))  # fmt: skip
    # allowed, but the $connect function does not let API Gateway invoke it yet
    assert _refused(presigned()) == 403
    allow_apigateway(lambda_client, "wsauth")
    with connect(presigned(), open_timeout=60) as ws:
        (connect_event,) = _events(endpoint, queue, 1)
        assert connect_event["requestContext"]["eventType"] == "CONNECT"
        signer = {"accessKey": keys["AccessKeyId"], "accountId": "000000000000",
                  "userArn": "arn:aws:iam::000000000000:user/ws-caller"}  # fmt: skip
        identity = connect_event["requestContext"]["identity"]
        assert {k: identity.get(k) for k in signer} == signer
        assert identity["caller"] == identity["user"] and identity["caller"].startswith("AIDA")
        ws.send("hello")
        assert json.loads(ws.recv(timeout=60)) is None  # no authorizer context for AWS_IAM
    (gone,) = _events(endpoint, queue, 1)  # its $disconnect, the signer still named
    assert gone["requestContext"]["identity"]["userArn"] == signer["userArn"]
    with connect(url, additional_headers=signed_headers(), open_timeout=60):
        _events(endpoint, queue, 1)
    _events(endpoint, queue, 1)
    bad = dict(signed_headers(), Authorization=signed_headers()["Authorization"][:-4] + "0000")
    assert _refused(url, additional_headers=bad) == 403
    everything = f"arn:aws:execute-api:*:*:{api_id}/*"
    iam.put_user_policy(UserName="ws-caller", PolicyName="no",
                        PolicyDocument=_policy("Deny", everything))  # fmt: skip
    assert _refused(presigned()) == 403
