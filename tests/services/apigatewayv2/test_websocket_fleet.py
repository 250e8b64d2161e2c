"""WebSocket APIs on two Lamina nodes sharing one PostgreSQL store: a client connected to node
A gets what PostToConnection through node B sends, and DeleteConnection through B closes it
(B writes each for A to the store; A is woken by NOTIFY)."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.conftest import PG_URL, client, make_zip, own_server
from tests.server import LaminaServer
from tests.services.apigatewayv2.helpers import ARN, apigw, create_api_function

pytestmark = pytest.mark.skipif(
    not PG_URL, reason="LAMINA_TEST_DATABASE_URL is not set (CI sets it)"
)

# a two-way $default route: the client learns its connection id from its first message
WHO = "def handler(event, context):\n    return {'body': event['requestContext']['connectionId']}\n"


def _api(endpoint: str) -> str:
    create_api_function(
        client("lambda", endpoint), "who", Code={"ZipFile": make_zip({"handler.py": WHO})}
    )
    api = apigw(endpoint)
    api_id = api.create_api(
        Name="fleet", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action"
    )["ApiId"]
    target = api.create_integration(
        ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=f"{ARN}:who"
    )["IntegrationId"]
    route = api.create_route(
        ApiId=api_id, RouteKey="$default", Target=f"integrations/{target}",
        RouteResponseSelectionExpression="$default",
    )  # fmt: skip
    api.create_route_response(ApiId=api_id, RouteId=route["RouteId"], RouteResponseKey="$default")
    api.create_stage(ApiId=api_id, StageName="dev")
    api.create_deployment(ApiId=api_id, StageName="dev")
    return api_id


def test_a_connection_on_one_node_reached_through_another(tmp_path):
    with own_server(tmp_path / "a", "postgresql", "apigw_ws_fleet") as first:
        second = LaminaServer(tmp_path / "b", first.env)
        second.start()
        try:
            api_id = _api(first.url)
            other = client("apigatewaymanagementapi", f"{second.url}/_aws/execute-api/{api_id}/dev")
            url = first.url.replace("http://", "ws://") + f"/_aws/execute-api/{api_id}/dev"
            with connect(url, open_timeout=60) as ws:
                ws.send("who am I")
                connection_id = ws.recv(timeout=60)
                info = other.get_connection(ConnectionId=connection_id)
                assert info["Identity"]["SourceIp"] == "127.0.0.1"
                started = time.monotonic()
                other.post_to_connection(ConnectionId=connection_id, Data=b"through B")
                assert ws.recv(timeout=60) == "through B"
                reached = time.monotonic() - started
                for index in range(5):  # in the order they were posted
                    other.post_to_connection(ConnectionId=connection_id, Data=str(index).encode())
                assert [ws.recv(timeout=60) for _ in range(5)] == ["0", "1", "2", "3", "4"]
                other.delete_connection(ConnectionId=connection_id)
                with pytest.raises(ConnectionClosed) as closed:
                    ws.recv(timeout=60)
                assert closed.value.rcvd is not None and closed.value.rcvd.code == 1000
            assert reached < 30  # woken, not by a timer of minutes
            deadline = time.monotonic() + 30  # A drops the row once the socket closed
            while True:
                try:
                    other.post_to_connection(ConnectionId=connection_id, Data=b"late")
                except ClientError as gone:
                    assert gone.response["Error"]["Code"] == "GoneException"
                    break
                assert time.monotonic() < deadline, "the connection's row outlived its socket"
                time.sleep(0.2)
        finally:
            second.stop()
