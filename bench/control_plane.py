"""Control-plane calls per second through boto3, against Lamina and against the floor.

The floor answers with the very bytes Lamina gave for each call (recorded first), so both runs
cost the client the same and the difference is the server's alone."""

from __future__ import annotations

import os
import platform

import boto3
import requests
from botocore.config import Config

from bench.harness import FloorServer, Lamina, measure, wrk
from tests.conftest import create_function

SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
GET_PATH = "/2015-03-31/functions/bench"
LIST_PATH = "/2015-03-31/functions/?MaxItems=10"
CALLS = (
    ("GetFunction", lambda c: c.get_function(FunctionName="bench")),
    ("ListFunctions", lambda c: c.list_functions(MaxItems=10)),
)


def lambda_client(url: str):
    return boto3.client(
        "lambda", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}),
    )  # fmt: skip


def rates(url: str, label: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for op, call in CALLS:
        for threads in (1, 4):

            def make(call=call):  # type: ignore[no-untyped-def]
                client = lambda_client(url)
                return lambda: call(client)

            rate = measure(make, threads, SECONDS)
            out[f"{op} c{threads}"] = rate.per_second
            print(
                f"{label:10} {op:14} threads={threads}  {rate.per_second:8.0f}/s  "
                f"p50 {rate.p50:.2f} ms  p99 {rate.percentile(99):.2f} ms",
                flush=True,
            )
    return out


def seed(url: str) -> dict[str, str]:
    """Create the functions the calls read; return Lamina's own replies for the floor."""
    client = lambda_client(url)
    create_function(client, "bench")
    for i in range(20):
        create_function(client, f"other-{i:02d}")
    return {path: requests.get(url + path, timeout=10).text for path in (GET_PATH, LIST_PATH)}


def run() -> None:
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    engines: dict[str, dict[str, str]] = {"sqlite": {}}
    pg = os.environ.get("LAMINA_BENCH_DATABASE_URL") or os.environ.get("LAMINA_TEST_DATABASE_URL")
    if pg:
        engines["postgresql"] = {"LAMINA_DATABASE_URL": pg, "LAMINA_ALLOW_RESET": "1"}
    for engine, env in engines.items():
        with Lamina(env) as lamina:
            replies = seed(lamina.url)
            # The floor is measured in the same run, right before Lamina, on the same replies.
            with FloorServer(replies) as floor:
                floor_rates = rates(floor.url, "floor")
                floor_raw = wrk(floor.url + GET_PATH)
            got = rates(lamina.url, engine)
            for key, value in got.items():
                print(f"{engine:10} {key:22} {100 * value / floor_rates[key]:5.0f}% of floor")
            raw = wrk(lamina.url + GET_PATH)
            if raw and floor_raw:
                for label, (rate, p99) in (("floor", floor_raw), (engine, raw)):
                    print(f"{label:10} wrk GET -c64           {rate:8.0f}/s  p99 {p99:.2f} ms")


if __name__ == "__main__":
    run()
