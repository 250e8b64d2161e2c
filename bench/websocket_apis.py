"""WebSocket APIs: the round trip of a message through a two-way `$default` route (the client
sends, the function's `body` comes back on the socket) on one open connection, beside Invoke
of $LATEST by name over a keep-alive HTTP connection; then 1,000 connections held open by one
node: its RSS growth, and the CPU its holder's loop costs while they idle. SQLite store, the
default sandbox."""

from __future__ import annotations

import asyncio
import http.client
import os
import statistics
import time

from bench.control_plane import lambda_client
from bench.harness import Lamina
from bench.invoke import INVOKE_PATH, ROLE, pct
from tests.conftest import make_zip

ECHO = "def handler(event, context):\n    return {'statusCode': 200, 'body': event['body']}\n"


def echo_api(url: str, name: str) -> str:
    """A WebSocket API whose two-way `$default` route echoes through a function, deployed to
    the stage `bench`; its id."""
    import boto3

    functions = lambda_client(url)
    functions.create_function(
        FunctionName="echo", Runtime="python3.12", Role=ROLE, Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": ECHO})},
    )  # fmt: skip
    # API Gateway invokes a function only with its permission (as SAM and CDK add it)
    functions.add_permission(
        FunctionName="echo", StatementId="bench-api", Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn="arn:aws:execute-api:us-east-1:000000000000:*",
    )  # fmt: skip
    apis = boto3.client(
        "apigatewayv2", endpoint_url=url, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
    )  # fmt: skip
    api_id = apis.create_api(
        Name=name, ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action"
    )["ApiId"]
    arn = "arn:aws:lambda:us-east-1:000000000000:function:echo"
    target = apis.create_integration(ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=arn)[
        "IntegrationId"
    ]
    route = apis.create_route(
        ApiId=api_id, RouteKey="$default", Target=f"integrations/{target}",
        RouteResponseSelectionExpression="$default",
    )  # fmt: skip
    apis.create_route_response(ApiId=api_id, RouteId=route["RouteId"], RouteResponseKey="$default")
    apis.create_stage(ApiId=api_id, StageName="bench")
    apis.create_deployment(ApiId=api_id, StageName="bench")
    return str(api_id)


def run(warm: int = 200, count: int = 2000) -> None:
    from websockets.sync.client import connect

    with Lamina({"LAMINA_IDLE_TIMEOUT": "600"}) as lamina:
        api_id = echo_api(lamina.url, "bench")
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


def _rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def hold(count: int = 1000, idle: float = 10.0) -> None:
    """`count` connections open on one node at once (no `$connect` route), each answering one
    message through the `$default` echo (one after another) once all are open."""
    from websockets.asyncio.client import connect

    with Lamina({"LAMINA_IDLE_TIMEOUT": "600"}) as lamina:
        assert lamina.process is not None
        pid = lamina.process.pid
        api_id = echo_api(lamina.url, "hold")
        url = lamina.url.replace("http://", "ws://") + f"/_aws/execute-api/{api_id}/bench"

        async def main() -> None:
            async with connect(url, open_timeout=60) as warm:  # the paths' modules, the function
                await warm.send("warm")
                assert await asyncio.wait_for(warm.recv(), 60) == "warm"
            await asyncio.sleep(1)
            before = _rss_mib(pid)
            started = time.perf_counter()
            sockets = []
            for start in range(0, count, 50):
                sockets += await asyncio.gather(
                    *(connect(url, open_timeout=60) for _ in range(start, min(count, start + 50)))
                )
            opened = time.perf_counter() - started
            held = _rss_mib(pid)
            cpu = _cpu_seconds(pid)
            await asyncio.sleep(idle)
            idle_cpu = (_cpu_seconds(pid) - cpu) / idle
            for ws in sockets:  # one at a time: one warm function, not 1,000 cold ones
                await ws.send("x")
                assert await asyncio.wait_for(ws.recv(), 60) == "x"
            after = _rss_mib(pid)
            await asyncio.gather(*(ws.close() for ws in sockets))
            print(f"{count} connections opened in {opened:.2f} s")
            print(f"node RSS {before:.1f} MiB -> {held:.1f} MiB held "
                  f"(+{held - before:.1f} MiB, target <= 200) -> {after:.1f} MiB after a "
                  f"message each (+{after - before:.1f} MiB)")  # fmt: skip
            print(f"node CPU while they idle: {idle_cpu * 100:.1f}% of a core")

        asyncio.run(main())


if __name__ == "__main__":
    run()
    hold()
