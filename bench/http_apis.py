"""HTTP APIs: what an HTTP API's Lambda proxy (payload format 2.0, the `$default` route and
stage of a quick-created API) costs beyond Invoke of $LATEST by name (the same keep-alive HTTP
client for both, the two interleaved), and an API's rate under wrk -c64. SQLite store, the
default sandbox."""

from __future__ import annotations

import os
import statistics

from bench.control_plane import lambda_client
from bench.function_urls import overhead
from bench.harness import Lamina, wrk
from bench.invoke import INVOKE_PATH, create, pct


def run() -> None:
    import boto3

    with Lamina({"LAMINA_IDLE_TIMEOUT": "600"}) as lamina:
        client = lambda_client(lamina.url)
        create(client, "hello")
        apis = boto3.client(
            "apigatewayv2", endpoint_url=lamina.url, region_name="us-east-1",
            aws_access_key_id="test", aws_secret_access_key="test",
        )  # fmt: skip
        arn = "arn:aws:lambda:us-east-1:000000000000:function:hello"
        api_id = apis.create_api(Name="bench", ProtocolType="HTTP", Target=arn)["ApiId"]
        client.add_permission(
            FunctionName="hello", StatementId="bench-api", Action="lambda:InvokeFunction",
            Principal="apigateway.amazonaws.com",
            SourceArn=f"arn:aws:execute-api:us-east-1:000000000000:{api_id}/*",
        )  # fmt: skip
        api_path = f"/_aws/execute-api/{api_id}/hello"
        by_name, by_api = overhead(lamina.url, api_path)
        name50, api50 = statistics.median(by_name), statistics.median(by_api)
        print(f"Invoke $LATEST by name  p50 {name50:.3f} ms  p99 {pct(by_name, 99):.3f} ms")
        print(f"HTTP API ($default)     p50 {api50:.3f} ms  p99 {pct(by_api, 99):.3f} ms"
              f"  (+{api50 - name50:.3f} ms p50)")  # fmt: skip
        wrk(lamina.url + api_path, seconds=2, post_body="{}")  # grows the pool first
        measured = wrk(lamina.url + api_path, post_body="{}")
        invoke = wrk(lamina.url + INVOKE_PATH.format("hello"), post_body="{}")
    for label, result in (("HTTP API", measured), ("Invoke", invoke)):
        if result:
            print(f"{label:9} wrk POST -c64  {result[0]:8.0f}/s  p99 {result[1]:.2f} ms")
    print(f"({os.cpu_count()} cores)")


if __name__ == "__main__":
    run()
