"""What identity and signature checking cost a warm Invoke.

1. In-process, per request: the credential cache's hit, and Verifier.verify over an Invoke
   request signed by botocore (its canonical request, string to sign and HMAC, with the
   signing key cached), timed over many repetitions.
2. End to end: warm Invoke p50 through boto3 against two servers, LAMINA_VERIFY_SIGNATURES
   off and on (the same LAMINA_CREDENTIALS key), measured in alternating rounds so machine
   noise falls on both alike.
"""

from __future__ import annotations

import statistics
import time

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from bench.harness import Lamina
from bench.invoke import create, pct
from lamina.edge.auth import Verifier
from lamina.edge.request import EdgeRequest
from lamina.identity import CachedCredentials, ConfiguredCredentials
from lamina.protocol.http import Headers, HttpRequest

KEY, SECRET = "AKIDBENCH", "bench-secret"


def signed_invoke() -> EdgeRequest:
    url = "http://127.0.0.1:4566/2015-03-31/functions/hello/invocations"
    request = AWSRequest(method="POST", url=url, data=b"{}", headers={"Host": "127.0.0.1:4566"})
    SigV4Auth(Credentials(KEY, SECRET), "lambda", "us-east-1").add_auth(request)
    headers = Headers((k, v) for k, v in request.headers.items())
    http = HttpRequest(
        method="POST", path="/2015-03-31/functions/hello/invocations", query="",
        headers=headers, body=b"{}",
    )  # fmt: skip
    return EdgeRequest(http, access_key=KEY, region="us-east-1", signing_service="lambda")


def in_process(count: int = 20000) -> None:
    credentials = CachedCredentials(ConfiguredCredentials(f"{KEY}:{SECRET}"))
    request = signed_invoke()
    request.credential = credentials.lookup(KEY)
    verifier = Verifier()
    now = time.time()
    verifier.verify(request, now)
    started = time.perf_counter()
    for _ in range(count):
        credentials.cached(KEY)
    hit_us = (time.perf_counter() - started) / count * 1e6
    samples = []
    for _ in range(count):
        began = time.perf_counter()
        verifier.verify(request, now)
        samples.append((time.perf_counter() - began) * 1e6)
    print(f"credential cache hit   {hit_us:7.2f} µs", flush=True)
    print(f"SigV4 verify (Invoke)  p50 {statistics.median(samples):6.1f} µs  "
          f"p99 {pct(samples, 99):6.1f} µs", flush=True)  # fmt: skip


def client_of(url: str):  # type: ignore[no-untyped-def]
    return boto3.client(
        "lambda", endpoint_url=url, region_name="us-east-1", aws_access_key_id=KEY,
        aws_secret_access_key=SECRET, config=Config(retries={"total_max_attempts": 1}),
    )  # fmt: skip


def end_to_end(rounds: int = 6, per_round: int = 300) -> None:
    env = {"LAMINA_CREDENTIALS": f"{KEY}:{SECRET}"}
    with Lamina(env) as off, Lamina({**env, "LAMINA_VERIFY_SIGNATURES": "1"}) as on:
        clients = {"off": client_of(off.url), "on": client_of(on.url)}
        latencies: dict[str, list[float]] = {"off": [], "on": []}
        for client in clients.values():
            create(client, "hello")
            for _ in range(50):
                client.invoke(FunctionName="hello")["Payload"].read()
        for _ in range(rounds):
            for label, client in clients.items():
                for _ in range(per_round):
                    began = time.perf_counter()
                    client.invoke(FunctionName="hello")["Payload"].read()
                    latencies[label].append((time.perf_counter() - began) * 1000)
        p50 = {label: statistics.median(values) for label, values in latencies.items()}
        for label, values in latencies.items():
            print(f"warm Invoke, verification {label:3}  p50 {p50[label]:.3f} ms  "
                  f"p99 {pct(values, 99):.3f} ms", flush=True)  # fmt: skip
        print(f"verification adds      {p50['on'] - p50['off']:+.3f} ms p50", flush=True)


def run() -> None:
    in_process()
    end_to_end()


if __name__ == "__main__":
    run()
