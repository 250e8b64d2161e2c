"""IAM and STS calls per second through boto3 (query protocol), against Lamina and the floor.

Both are POSTs to `/`, so each call gets a floor of its own, answering the bytes Lamina gave
for it (recorded through botocore's own response hook)."""

from __future__ import annotations

import json

import boto3
from botocore.config import Config

from bench.control_plane import SECONDS
from bench.harness import FloorServer, Lamina, measure

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
         "Action": "sts:AssumeRole"}
    ],
}  # fmt: skip
CALLS = (
    ("sts", "GetCallerIdentity", lambda c: c.get_caller_identity()),
    ("iam", "GetRole", lambda c: c.get_role(RoleName="bench")),
)


def client(service: str, url: str):
    return boto3.client(
        service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}),
    )  # fmt: skip


def recorded(service: str, url: str, call) -> str:  # type: ignore[no-untyped-def]
    """The body Lamina answers `call` with."""
    bodies: list[bytes] = []
    made = client(service, url)
    made.meta.events.register("after-call", lambda http_response, **_: bodies.append(
        http_response.content))  # fmt: skip
    call(made)
    return bodies[-1].decode()


def rate(service: str, url: str, call, threads: int) -> float:  # type: ignore[no-untyped-def]
    def make():  # type: ignore[no-untyped-def]
        made = client(service, url)
        return lambda: call(made)

    return measure(make, threads, SECONDS).per_second


def run() -> None:
    with Lamina({}) as lamina:
        client("iam", lamina.url).create_role(
            RoleName="bench", AssumeRolePolicyDocument=json.dumps(TRUST)
        )
        for service, name, call in CALLS:
            with FloorServer({"/": recorded(service, lamina.url, call)}) as floor:
                floors = {t: rate(service, floor.url, call, t) for t in (1, 4)}
            for threads, floor_rate in floors.items():
                got = rate(service, lamina.url, call, threads)
                print(f"{name:18} threads={threads}  lamina {got:7.0f}/s  floor "
                      f"{floor_rate:7.0f}/s  {100 * got / floor_rate:4.0f}% of floor")  # fmt: skip


if __name__ == "__main__":
    run()
