"""Function URLs: what serving through a URL costs beyond Invoke of $LATEST by name (the same
keep-alive HTTP client for both, the two interleaved), and a URL's rate under wrk -c64.
SQLite store, the default sandbox."""

from __future__ import annotations

import http.client
import os
import statistics
import time
from urllib.parse import urlsplit

from bench.control_plane import lambda_client
from bench.harness import Lamina, wrk
from bench.invoke import INVOKE_PATH, create, pct


def timed(conn: http.client.HTTPConnection, method: str, path: str, body: bytes) -> float:
    started = time.perf_counter()
    conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
    answer = conn.getresponse()
    answer.read()
    assert answer.status == 200, answer.status
    return (time.perf_counter() - started) * 1000


def overhead(url: str, url_path: str, count: int = 2000) -> tuple[list[float], list[float]]:
    address = urlsplit(url)
    conn = http.client.HTTPConnection(address.hostname, address.port)
    invoke_path = INVOKE_PATH.format("hello")
    by_name, by_url = [], []
    for _ in range(200):  # warm both paths
        timed(conn, "POST", invoke_path, b"{}")
        timed(conn, "POST", url_path, b"{}")
    for _ in range(count):
        by_name.append(timed(conn, "POST", invoke_path, b"{}"))
        by_url.append(timed(conn, "POST", url_path, b"{}"))
    conn.close()
    return by_name, by_url


def run() -> None:
    with Lamina({"LAMINA_IDLE_TIMEOUT": "600"}) as lamina:
        client = lambda_client(lamina.url)
        create(client, "hello")
        made = client.create_function_url_config(FunctionName="hello", AuthType="NONE")
        client.add_permission(
            FunctionName="hello", StatementId="public", Action="lambda:InvokeFunctionUrl",
            Principal="*", FunctionUrlAuthType="NONE",
        )  # fmt: skip
        url_id = urlsplit(made["FunctionUrl"]).hostname.split(".")[0]  # type: ignore[union-attr]
        url_path = f"/_lamina/url/{url_id}/"
        by_name, by_url = overhead(lamina.url, url_path)
        name50, url50 = statistics.median(by_name), statistics.median(by_url)
        print(f"Invoke $LATEST by name  p50 {name50:.3f} ms  p99 {pct(by_name, 99):.3f} ms")
        print(f"function URL            p50 {url50:.3f} ms  p99 {pct(by_url, 99):.3f} ms"
              f"  (+{url50 - name50:.3f} ms p50)")  # fmt: skip
        wrk(lamina.url + url_path, seconds=2, post_body="{}")  # grows the pool first
        measured = wrk(lamina.url + url_path, post_body="{}")
        invoke = wrk(lamina.url + INVOKE_PATH.format("hello"), post_body="{}")
    for label, result in (("function URL", measured), ("Invoke", invoke)):
        if result:
            print(f"{label:13} wrk POST -c64  {result[0]:8.0f}/s  p99 {result[1]:.2f} ms")
    print(f"({os.cpu_count()} cores)")


if __name__ == "__main__":
    run()
