"""WebSocket APIs through a real WebSocket client (the `websockets` library) and boto3: the
`$connect` function admits or refuses the connection, messages pick their route by the API's
RouteSelectionExpression, a two-way route's answer comes back, a function reaches the client
through the management API (apigatewaymanagementapi) at AWS_ENDPOINT_URL's
/_aws/execute-api/{api-id}/{stage}, and `$disconnect` runs once the socket closed."""

from __future__ import annotations

import json
import socket
from datetime import datetime

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from tests.conftest import client, make_zip
from tests.services.apigatewayv2.helpers import ARN, apigw, create_api_function

# Every event goes to the queue for the test to read; `$default` echoes through the management
# API as a function on AWS would (built from AWS_ENDPOINT_URL here: see the README).
HANDLER = """
import json, os
import boto3

def handler(event, context):
    ctx = event["requestContext"]
    key = ctx["routeKey"]
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    if key in ("$connect", "$disconnect"):
        boto3.client("sqs", endpoint_url=endpoint).send_message(
            QueueUrl=os.environ["QUEUE_URL"], MessageBody=json.dumps(event))
        if (event.get("queryStringParameters") or {}).get("deny"):
            return {"statusCode": 403}
        return {"statusCode": 200}
    if key == "fail":
        raise ValueError("boom")
    if key == "shout":
        return {"statusCode": 200, "body": json.loads(event["body"])["text"].upper()}
    manager = boto3.client(
        "apigatewaymanagementapi",
        endpoint_url=f"{endpoint}/_aws/execute-api/{ctx['apiId']}/{ctx['stage']}",
    )
    manager.post_to_connection(ConnectionId=ctx["connectionId"],
                               Data=("echo:" + event["body"]).encode())
    return {"statusCode": 200}
"""


def _api(endpoint: str, lambda_client) -> tuple[str, str]:
    """A WebSocket API on stage `dev` with every route going to the function; its id, queue."""
    sqs = client("sqs", endpoint)
    queue = sqs.create_queue(QueueName="ws-events")["QueueUrl"]
    create_api_function(
        lambda_client,
        "ws",
        Code={"ZipFile": make_zip({"handler.py": HANDLER})},
        Environment={"Variables": {"QUEUE_URL": queue}},
    )
    api = apigw(endpoint)
    made = api.create_api(
        Name="chat", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action"
    )
    api_id = made["ApiId"]
    port = endpoint.rsplit(":", 1)[1]
    assert made["ApiEndpoint"] == f"ws://{api_id}.execute-api.localhost:{port}"
    assert made["ProtocolType"] == "WEBSOCKET"
    assert made["RouteSelectionExpression"] == "$request.body.action"
    target = (
        "integrations/"
        + api.create_integration(
            ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=f"{ARN}:ws"
        )["IntegrationId"]
    )
    for key in ("$connect", "$disconnect", "$default", "fail"):
        api.create_route(ApiId=api_id, RouteKey=key, Target=target)
    shout = api.create_route(
        ApiId=api_id, RouteKey="shout", Target=target, RouteResponseSelectionExpression="$default"
    )
    response = api.create_route_response(
        ApiId=api_id, RouteId=shout["RouteId"], RouteResponseKey="$default"
    )
    (listed,) = api.get_route_responses(ApiId=api_id, RouteId=shout["RouteId"])["Items"]
    assert listed["RouteResponseId"] == response["RouteResponseId"]
    api.create_stage(ApiId=api_id, StageName="dev")
    api.create_deployment(ApiId=api_id, StageName="dev")
    return api_id, queue


def _events(endpoint: str, queue: str, count: int) -> list[dict]:
    sqs = client("sqs", endpoint)
    found: list[dict] = []
    for _ in range(30):
        answer = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in answer.get("Messages", []):
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
        if len(found) >= count:
            return found
    raise AssertionError(f"{len(found)} of {count} events arrived")


def _signed(service: str, url: str, secret: str):
    return boto3.client(
        service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="AKIDWS",
        aws_secret_access_key=secret, config=Config(retries={"total_max_attempts": 1}),
    )  # fmt: skip


def _manager(endpoint: str, api_id: str):
    return client("apigatewaymanagementapi", f"{endpoint}/_aws/execute-api/{api_id}/dev")


def test_a_connection_meets_its_routes_and_the_management_api(endpoint, lambda_client):
    api_id, queue = _api(endpoint, lambda_client)
    port = int(endpoint.rsplit(":", 1)[1])
    # by the execute-api Host (the socket made to 127.0.0.1: *.localhost may not resolve)
    sock = socket.create_connection(("127.0.0.1", port))
    url = f"ws://{api_id}.execute-api.localhost:{port}/dev?user=ann&tag=a&tag=b"
    with connect(url, sock=sock, user_agent_header="tester/1", open_timeout=60) as ws:
        (event,) = _events(endpoint, queue, 1)
        context = event["requestContext"]
        connection_id = context["connectionId"]
        assert (context["routeKey"], context["eventType"]) == ("$connect", "CONNECT")
        assert (context["apiId"], context["stage"]) == (api_id, "dev")
        assert context["domainName"] == f"{api_id}.execute-api.localhost"
        assert context["identity"]["sourceIp"] == "127.0.0.1"
        assert context["identity"]["userAgent"] == "tester/1"
        assert isinstance(context["connectedAt"], int) and context["requestTimeEpoch"] > 0
        assert context["requestId"] and context["extendedRequestId"]
        assert event["queryStringParameters"] == {"user": "ann", "tag": "b"}
        assert event["multiValueQueryStringParameters"]["tag"] == ["a", "b"]
        assert event["headers"]["Host"] == f"{api_id}.execute-api.localhost:{port}"
        assert event["multiValueHeaders"]["Sec-WebSocket-Version"] == ["13"]
        assert event["headers"]["X-Forwarded-For"] == "127.0.0.1"
        assert event["headers"]["X-Forwarded-Port"] == str(port)
        assert event["isBase64Encoded"] is False

        # $default: the function answers through PostToConnection, from inside its sandbox
        ws.send(json.dumps({"action": "unknown", "text": "hi"}))
        assert ws.recv(timeout=60) == 'echo:{"action": "unknown", "text": "hi"}'
        ws.send("not json")
        assert ws.recv(timeout=60) == "echo:not json"
        # a two-way custom route: the function's body comes back
        ws.send(json.dumps({"action": "shout", "text": "hi"}))
        assert ws.recv(timeout=60) == "HI"
        # a failing function: the gateway's own message
        ws.send(json.dumps({"action": "fail"}))
        failed = json.loads(ws.recv(timeout=60))
        assert failed["message"] == "Internal server error"
        assert failed["connectionId"] == connection_id

        manager = _manager(endpoint, api_id)
        info = manager.get_connection(ConnectionId=connection_id)
        assert info["Identity"] == {"SourceIp": "127.0.0.1", "UserAgent": "tester/1"}
        assert isinstance(info["ConnectedAt"], datetime)
        assert info["LastActiveAt"] >= info["ConnectedAt"]
        manager.post_to_connection(ConnectionId=connection_id, Data=b"from outside")
        assert ws.recv(timeout=60) == "from outside"

        manager.delete_connection(ConnectionId=connection_id)
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=60)
    with pytest.raises(ClientError) as gone:
        manager.post_to_connection(ConnectionId=connection_id, Data=b"late")
    assert gone.value.response["Error"]["Code"] == "GoneException"
    assert gone.value.response["ResponseMetadata"]["HTTPStatusCode"] == 410
    (event,) = _events(endpoint, queue, 1)
    context = event["requestContext"]
    assert (context["routeKey"], context["eventType"]) == ("$disconnect", "DISCONNECT")
    assert context["connectionId"] == connection_id
    assert isinstance(context["disconnectStatusCode"], int)


def test_connect_refused_by_its_function_and_disconnect_by_the_client(endpoint, lambda_client):
    api_id, queue = _api(endpoint, lambda_client)
    base = f"{endpoint.replace('http://', 'ws://')}/_aws/execute-api/{api_id}"
    with pytest.raises(InvalidStatus) as refused:
        connect(f"{base}/dev?deny=1", open_timeout=60)
    assert refused.value.response.status_code == 403
    _events(endpoint, queue, 1)  # its $connect ran
    with pytest.raises(InvalidStatus) as unknown:
        connect(f"{base}/nostage", open_timeout=60)
    assert unknown.value.response.status_code == 403

    with connect(f"{base}/dev", open_timeout=60) as ws:
        (event,) = _events(endpoint, queue, 1)
        assert "queryStringParameters" not in event
        connection_id = event["requestContext"]["connectionId"]
        ws.send(json.dumps({"action": "shout", "text": "x"}))
        assert ws.recv(timeout=60) == "X"
    (event,) = _events(endpoint, queue, 1)
    context = event["requestContext"]
    assert (context["eventType"], context["connectionId"]) == ("DISCONNECT", connection_id)
    assert context["disconnectStatusCode"] == 1000
    with pytest.raises(ClientError) as gone:
        _manager(endpoint, api_id).get_connection(ConnectionId=connection_id)
    assert gone.value.response["Error"]["Code"] == "GoneException"
    # a message over API Gateway's 128 KB closes the connection (1009: message too big)
    with connect(f"{base}/dev", open_timeout=60, max_size=None) as ws:
        ws.send("x" * (128 * 1024 + 1))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=60)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009


def test_websocket_control_plane_refuses_what_it_does_not_serve(endpoint):
    api = apigw(endpoint)
    with pytest.raises(ClientError) as bad:
        api.create_api(Name="w", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.x")
    assert "Invalid RouteSelectionExpression" in bad.value.response["Error"]["Message"]
    api_id = api.create_api(
        Name="w", ProtocolType="WEBSOCKET", RouteSelectionExpression="${request.body.type}"
    )["ApiId"]
    with pytest.raises(ClientError) as bad:
        api.create_route(ApiId=api_id, RouteKey="$other")
    assert bad.value.response["Error"]["Code"] == "BadRequestException"
    with pytest.raises(ClientError) as bad:  # AWS integrations to other services than Lambda
        api.create_integration(
            ApiId=api_id, IntegrationType="AWS", IntegrationMethod="POST",
            IntegrationUri="arn:aws:apigateway:us-east-1:sqs:path/000000000000/q",
        )  # fmt: skip
    assert "other AWS services it does not support yet" in bad.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as bad:
        api.create_authorizer(
            ApiId=api_id,
            Name="a",
            AuthorizerType="REQUEST",
            AuthorizerPayloadFormatVersion="2.0",
            IdentitySource=["route.request.header.x"],
            AuthorizerUri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
            f"{ARN}:a/invocations",
        )
    assert bad.value.response["Error"]["Message"] == (
        "AuthorizerPayloadFormatVersion is supported only for HTTP APIs."
    )
    route = api.create_route(ApiId=api_id, RouteKey="join")
    with pytest.raises(ClientError) as bad:
        api.create_route_response(ApiId=api_id, RouteId=route["RouteId"], RouteResponseKey="$x")
    assert "RouteResponseKey" in bad.value.response["Error"]["Message"]
    made = api.create_route_response(
        ApiId=api_id, RouteId=route["RouteId"], RouteResponseKey="$default"
    )
    got = api.get_route_response(
        ApiId=api_id, RouteId=route["RouteId"], RouteResponseId=made["RouteResponseId"]
    )
    assert got["RouteResponseKey"] == "$default"
    api.delete_route_response(
        ApiId=api_id, RouteId=route["RouteId"], RouteResponseId=made["RouteResponseId"]
    )
    assert api.get_route_responses(ApiId=api_id, RouteId=route["RouteId"])["Items"] == []
    assert api.get_api(ApiId=api_id)["ApiEndpoint"].startswith("ws://")


def test_with_signatures_checked_the_management_api_wants_them(tmp_path):
    from tests.server import LaminaServer

    lamina = LaminaServer(
        tmp_path / "data",
        {"LAMINA_VERIFY_SIGNATURES": "1", "LAMINA_CREDENTIALS": "AKIDWS:ws-secret"},
    )
    lamina.start()
    try:
        api = _signed("apigatewayv2", lamina.url, "ws-secret")
        api_id = api.create_api(
            Name="s", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.a"
        )["ApiId"]
        api.create_stage(ApiId=api_id, StageName="dev")
        api.create_deployment(ApiId=api_id, StageName="dev")  # no routes: every message dropped
        base = f"{lamina.url}/_aws/execute-api/{api_id}/dev"
        with connect(f"{base.replace('http://', 'ws://')}", open_timeout=60) as ws:
            url = f"{lamina.url}/_aws/execute-api/{api_id}/dev/@connections/x%3D"
            unsigned = requests.post(url, data=b"hi", timeout=30)
            assert unsigned.status_code == 403
            assert unsigned.headers["x-amzn-ErrorType"] == "ForbiddenException"
            manager = _signed("apigatewaymanagementapi", base, "wrong")
            with pytest.raises(ClientError) as wrong:
                manager.get_connection(ConnectionId="x=")
            assert wrong.value.response["Error"]["Code"] == "ForbiddenException"
            ws.send('{"a": "b"}')
            said = json.loads(ws.recv(timeout=60))  # no route takes it: the gateway says so
            assert said["message"] == "Forbidden"
            manager = _signed("apigatewaymanagementapi", base, "ws-secret")
            manager.post_to_connection(ConnectionId=said["connectionId"], Data=b"signed")
            assert ws.recv(timeout=60) == "signed"
    finally:
        lamina.stop()
