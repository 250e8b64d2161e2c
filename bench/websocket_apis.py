"""WebSocket APIs: the round trip of a message through a two-way `$default` route (the client
sends, the function's `body` comes back on the socket) on one open connection, beside Invoke
of $LATEST by name over a keep-alive HTTP connection. SQLite store, the default sandbox."""

from __future__ import annotations

import http.client
import os
import statistics
import time

from bench.control_plane import lambda_client
from bench.harness import Lamina
from bench.invoke import INVOKE_PATH, ROLE, pct
from tests.conftest import make_zip

ECHO = "def handler(event, context):\n    return {'statusCode': 200, 'body': event['body']}\n"


def run(warm: int = 200, count: int = 2000) -> None:
    import boto3
    from websockets.sync.client import connect

    with Lamina({"LAMINA_IDLE_TIMEOUT": "600"}) as lamina:
        client = lambda_client(lamina.url)
        client.create_function(
            FunctionName="echo", Runtime="python3.12", Role=ROLE, Handler="app.handler",
            Code={"ZipFile": make_zip({"app.py": ECHO})},
        )  # fmt: skip
        apis = boto3.client(
            "apigatewayv2", endpoint_url=lamina.url, region_name="us-east-1",
            aws_access_key_id="test", aws_secret_access_key="test",
        )  # fmt: skip
        api_id = apis.create_api(
            Name="bench", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action"
        )["ApiId"]
        arn = "arn:aws:lambda:us-east-1:000000000000:function:echo"
        target = apis.create_integration(
            ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=arn
        )["IntegrationId"]
        route = apis.create_route(
            ApiId=api_id, RouteKey="$default", Target=f"integrations/{target}",
            RouteResponseSelectionExpression="$default",
        )  # fmt: skip
        apis.create_route_response(
            ApiId=api_id, RouteId=route["RouteId"], RouteResponseKey="$default"
        )
        apis.create_stage(ApiId=api_id, StageName="bench")
        apis.create_deployment(ApiId=api_id, StageName="bench")
        host, port = lamina.url.rsplit("/", 1)[1].split(":")
        keep_alive = http.client.HTTPConnection(host, int(port))
        by_name: list[float] = []
        by_socket: list[float] = []
        url = f"ws://{host}:{port}/_aws/execute-api/{api_id}/bench"
        with connect(url, open_timeout=60) as ws:
            for index in range(warm + count):
                started = time.perf_counter()
                keep_alive.request("POST", INVOKE_PATH.format("echo"), body=b'{"body": "x"}')
                keep_alive.getresponse().read()
                middle = time.perf_counter()
                ws.send("hello")
                assert ws.recv(timeout=60) == "hello"
                ended = time.perf_counter()
                if index >= warm:
                    by_name.append((middle - started) * 1000)
                    by_socket.append((ended - middle) * 1000)
        keep_alive.close()
    name50, socket50 = statistics.median(by_name), statistics.median(by_socket)
    print(f"Invoke $LATEST by name     p50 {name50:.3f} ms  p99 {pct(by_name, 99):.3f} ms")
    print(f"WebSocket $default echo    p50 {socket50:.3f} ms  p99 {pct(by_socket, 99):.3f} ms"
          f"  ({socket50 - name50:+.3f} ms p50)")  # fmt: skip
    print(f"({os.cpu_count()} cores)")


if __name__ == "__main__":
    run()
