"""Asynchronous invocation: events accepted per second through boto3 (against the synchronous
invoke of the same function), and the time from the 202 to the function starting, with a warm
environment free. SQLite store, the default sandbox."""

from __future__ import annotations

import json
import os
import statistics
import time

from bench.control_plane import SECONDS, lambda_client
from bench.harness import Lamina, measure
from bench.invoke import ROLE, pct
from tests.conftest import client, make_zip
from tests.services.lambda_.asyncing import marks

STAMPING = make_zip(
    {
        "app.py": "import json, time\n"
        "def handler(event, context):\n"
        "    if event.get('n') is not None:\n"
        "        print('MARK ' + json.dumps({'event': event, 'rid': context.aws_request_id,"
        " 't': time.time()}))\n"
        "    return 'hello'\n"
    }
)


def rates(url: str, invocation_type: str) -> dict[int, float]:
    out = {}
    for threads in (1, 4, 16):

        def make():  # type: ignore[no-untyped-def]
            lam = lambda_client(url)
            return lambda: lam.invoke(
                FunctionName="stamp", InvocationType=invocation_type, Payload=b"{}"
            )["Payload"].read()

        rate = measure(make, threads, SECONDS)
        out[threads] = rate.per_second
        print(f"{invocation_type:15} threads={threads:<3} {rate.per_second:8.0f}/s  "
              f"p50 {rate.p50:.2f} ms  p99 {rate.percentile(99):.2f} ms", flush=True)  # fmt: skip
        time.sleep(2)  # the accepted events drain before the next round
    return out


def start_latency(url: str, count: int = 200) -> tuple[list[float], list[float]]:
    """(202 → function start, request sent → function start) in ms, one event at a time."""
    lam = lambda_client(url)
    sent, answered = {}, {}
    for n in range(count):
        began = time.time()
        lam.invoke(FunctionName="stamp", InvocationType="Event", Payload=json.dumps({"n": n}))
        answered[n], sent[n] = time.time(), began
        time.sleep(0.02)  # the environment is free again before the next event
    time.sleep(1)
    logs = client("logs", url)
    started = {mark["event"]["n"]: mark["t"] for mark in marks(logs, "stamp")}
    after_202 = [(started[n] - answered[n]) * 1000 for n in started]
    after_send = [(started[n] - sent[n]) * 1000 for n in started]
    return after_202, after_send


def run() -> None:
    with Lamina({"LAMINA_IDLE_TIMEOUT": "600"}) as lamina:
        lam = lambda_client(lamina.url)
        lam.create_function(
            FunctionName="stamp", Runtime="python3.12", Role=ROLE, Handler="app.handler",
            Code={"ZipFile": STAMPING},
        )  # fmt: skip
        lam.invoke(FunctionName="stamp")
        after_202, after_send = start_latency(lamina.url)
        print(f"202 → function start p50 {statistics.median(after_202):.2f} ms  "
              f"p99 {pct(after_202, 99):.2f} ms; request sent → start p50 "
              f"{statistics.median(after_send):.2f} ms  p99 {pct(after_send, 99):.2f} ms "
              f"({len(after_202)} events)")  # fmt: skip
        sync = rates(lamina.url, "RequestResponse")
        accepted = rates(lamina.url, "Event")
    for threads, rate in accepted.items():
        print(f"Event threads={threads:<3} {100 * rate / sync[threads]:5.0f}% of RequestResponse")
    print(f"({os.cpu_count()} cores)")


if __name__ == "__main__":
    run()
