"""SQS through boto3 (JSON protocol) against Lamina, moto's server, MiniStack and a do-nothing
SQS (bench/floor.py --sqs), each started here on a free port and stopped after.

Figures, each server in turn on the same machine in one run:
- SendMessage: calls/s with 1 and 4 client threads, and p50/p99 latency;
- SendMessageBatch of 10 small messages: messages/s;
- drain: ReceiveMessage (10) + DeleteMessageBatch of a pre-filled queue: messages/s;
- SQS → Lambda (Lamina only): SendMessage to the function's start, warm, through an event source
  mapping with Lambda's default batch settings, one message at a time; skipped, saying why,
  where Lamina does not serve SQS or event source mappings yet.

The peers (bench/peers.py) are installed on first use into their own virtualenv, never into
Lamina's. A peer that cannot be installed or started is skipped with a note. Lamina runs on
SQLite, and on PostgreSQL too when LAMINA_BENCH_DATABASE_URL (or LAMINA_TEST_DATABASE_URL) is
set. `python -m bench sqs`."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import statistics
import threading
import time
from collections.abc import Callable, Iterator

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from bench.control_plane import SECONDS
from bench.harness import FloorServer, Lamina, measure
from bench.peers import START_TIMEOUT, peers, peers_bin
from tests.conftest import make_zip

THREADS = (1, 4)
DRAIN = int(os.environ.get("BENCH_SQS_DRAIN", "2000"))
# A drain stops here even if messages are left: moto slows with a queue's depth (about 14
# messages/s from 2,000 on this machine) and would otherwise take minutes per figure.
DRAIN_SECONDS = max(4 * SECONDS, 20.0)
E2E_SAMPLES = int(os.environ.get("BENCH_SQS_E2E", "50"))
BODY = "x" * 100

Figures = dict[str, str]


def sqs_client(url: str):  # type: ignore[no-untyped-def]
    return boto3.client(
        "sqs", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}),
    )  # fmt: skip


def lamina_engines() -> dict[str, dict[str, str]]:
    engines: dict[str, dict[str, str]] = {"lamina sqlite": {}}
    pg = os.environ.get("LAMINA_BENCH_DATABASE_URL") or os.environ.get("LAMINA_TEST_DATABASE_URL")
    if pg:
        engines["lamina postgresql"] = {"LAMINA_DATABASE_URL": pg, "LAMINA_ALLOW_RESET": "1"}
    return engines


# --- the figures ------------------------------------------------------------------------------


def queue(client, name: str) -> str:  # type: ignore[no-untyped-def]
    return str(client.create_queue(QueueName=name)["QueueUrl"])


def send_rates(url: str, label: str, out: Figures) -> None:
    queue_url = queue(sqs_client(url), "bench-send")
    for threads in THREADS:

        def make() -> Callable[[], object]:
            client = sqs_client(url)
            return lambda: client.send_message(QueueUrl=queue_url, MessageBody=BODY)

        rate = measure(make, threads, SECONDS)
        out[f"SendMessage c{threads}"] = (
            f"{rate.per_second:,.0f}/s, p50 {rate.p50:.2f} ms, p99 {rate.percentile(99):.2f} ms"
        )
        report(label, f"SendMessage c{threads}", out)


def batch_rates(url: str, label: str, out: Figures) -> None:
    queue_url = queue(sqs_client(url), "bench-batch")
    entries = [{"Id": str(i), "MessageBody": BODY} for i in range(10)]
    for threads in THREADS:

        def make() -> Callable[[], object]:
            client = sqs_client(url)
            return lambda: client.send_message_batch(QueueUrl=queue_url, Entries=entries)

        rate = measure(make, threads, SECONDS)
        out[f"SendMessageBatch c{threads}"] = (
            f"{10 * rate.per_second:,.0f} msgs/s, p50 {rate.p50:.2f} ms"
        )
        report(label, f"SendMessageBatch c{threads}", out)


def drain_rates(url: str, label: str, out: Figures) -> None:
    for threads in THREADS:
        client = sqs_client(url)
        queue_url = queue(client, f"bench-drain-{threads}")
        entries = [{"Id": str(i), "MessageBody": BODY} for i in range(10)]
        for _ in range(DRAIN // 10):
            client.send_message_batch(QueueUrl=queue_url, Entries=entries)
        drained, seconds = drain(url, queue_url, threads)
        out[f"drain c{threads}"] = (
            f"{drained / seconds:,.0f} msgs/s ({drained} of {DRAIN} in {seconds:.1f} s)"
        )
        report(label, f"drain c{threads}", out)


def drain(url: str, queue_url: str, threads: int) -> tuple[int, float]:
    """Receive (10) and delete (batch) until DRAIN messages are gone, the queue answers empty or
    DRAIN_SECONDS have passed."""
    lock = threading.Lock()
    count = [0]
    stop = time.monotonic() + DRAIN_SECONDS

    def worker() -> None:
        client = sqs_client(url)
        while time.monotonic() < stop:
            with lock:
                if count[0] >= DRAIN:
                    return
            messages = client.receive_message(
                QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
            ).get("Messages", [])
            if not messages:
                return
            client.delete_message_batch(
                QueueUrl=queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                         for i, m in enumerate(messages)],
            )  # fmt: skip
            with lock:
                count[0] += len(messages)

    began = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return count[0], time.perf_counter() - began


# A function that, for each record, tells the results queue when it started: the bench's clock
# and the function's are this machine's, so the difference from the send is the delivery time.
E2E_HANDLER = """
import json, os, time
import boto3

sqs = boto3.client("sqs")

def handler(event, context):
    started = time.time()
    for record in event["Records"]:
        sqs.send_message(QueueUrl=os.environ["RESULTS"],
                         MessageBody=json.dumps({"n": record["body"], "started": started}))
"""


def sqs_to_lambda(url: str, label: str, out: Figures) -> None:
    """SendMessage → the function's start, one message at a time, through a mapping with
    Lambda's default settings (batch size 10, no batching window)."""
    client = sqs_client(url)
    lam = boto3.client(
        "lambda", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test", config=Config(retries={"max_attempts": 1}),
    )  # fmt: skip
    source = queue(client, "bench-e2e")
    results = queue(client, "bench-e2e-results")
    arn = client.get_queue_attributes(QueueUrl=source, AttributeNames=["QueueArn"])
    lam.create_function(
        FunctionName="bench-e2e", Runtime="python3.12", Handler="app.handler",
        Role="arn:aws:iam::000000000000:role/bench", Code={"ZipFile": make_zip(
            {"app.py": E2E_HANDLER})}, Environment={"Variables": {"RESULTS": results}},
    )  # fmt: skip
    try:
        uuid = lam.create_event_source_mapping(
            FunctionName="bench-e2e", EventSourceArn=arn["Attributes"]["QueueArn"]
        )["UUID"]
    except ClientError as error:
        out["SQS → Lambda"] = f"skipped: no event source mappings yet ({error})"
        report(label, "SQS → Lambda", out)
        return
    deadline = time.monotonic() + START_TIMEOUT
    while lam.get_event_source_mapping(UUID=uuid)["State"] != "Enabled":
        if time.monotonic() > deadline:
            out["SQS → Lambda"] = "the mapping did not become Enabled"
            report(label, "SQS → Lambda", out)
            return
        time.sleep(0.1)
    after_send, after_answer = [], []
    for index in range(E2E_SAMPLES + 1):  # the first warms the function
        # The function and the mapping's poller are idle again before each send, as a warm
        # function between messages is: what is measured is one message's way, not a queue's.
        time.sleep(0.05)
        sent = time.time()
        client.send_message(QueueUrl=source, MessageBody=str(index))
        answered = time.time()
        got = client.receive_message(QueueUrl=results, WaitTimeSeconds=20).get("Messages", [])
        if not got:
            out["SQS → Lambda"] = "no answer within 20 s"
            report(label, "SQS → Lambda", out)
            return
        client.delete_message(QueueUrl=results, ReceiptHandle=got[0]["ReceiptHandle"])
        started = json.loads(got[0]["Body"])["started"]
        if index:
            after_send.append((started - sent) * 1000)
            after_answer.append((started - answered) * 1000)
    out["SQS → Lambda"] = (
        f"send → start p50 {statistics.median(after_send):.1f} ms, p99 "
        f"{percentile(after_send, 99):.1f} ms; SendMessage answered → start p50 "
        f"{statistics.median(after_answer):.1f} ms"
    )
    report(label, "SQS → Lambda", out)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def report(label: str, key: str, out: Figures) -> None:
    print(f"{label:18} {key:22} {out[key]}", flush=True)


def figures(url: str, label: str, lamina: bool = False) -> Figures:
    out: Figures = {}
    send_rates(url, label, out)
    batch_rates(url, label, out)
    drain_rates(url, label, out)
    if lamina:
        sqs_to_lambda(url, label, out)
    return out


def serves_sqs(url: str) -> str | None:
    """None when the server answers CreateQueue; else why not."""
    try:
        queue(sqs_client(url), "bench-probe")
        return None
    except (ClientError, BotoCoreError) as error:
        return str(error)


@contextlib.contextmanager
def _quiet_failure(label: str, notes: list[str]) -> Iterator[None]:
    try:
        yield
    except (RuntimeError, ClientError, BotoCoreError, OSError) as error:
        notes.append(f"{label}: skipped ({error})")
        print(f"{label:18} skipped: {error}", flush=True)


def run() -> None:
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; SQS bodies of {len(BODY)} bytes, "
        f"{SECONDS:g} s per figure",
        flush=True,
    )
    table: dict[str, Figures] = {}
    notes: list[str] = []
    with FloorServer(sqs=True) as floor:
        table["floor"] = figures(floor.url, "floor")
    bin_dir = peers_bin()
    for peer in peers(bin_dir) if bin_dir else []:
        with _quiet_failure(peer.label, notes), peer:
            table[peer.label] = figures(peer.url, peer.label)
    for label, env in lamina_engines().items():
        with _quiet_failure(label, notes), Lamina(env) as lamina:
            why = serves_sqs(lamina.url)
            if why:
                notes.append(f"{label}: skipped, Lamina does not serve SQS here yet ({why})")
                print(f"{label:18} skipped: does not serve SQS yet ({why})", flush=True)
                continue
            table[label] = figures(lamina.url, label, lamina=True)
    print_table(table, notes)


def print_table(table: dict[str, Figures], notes: list[str]) -> None:
    keys: list[str] = []
    for got in table.values():
        keys += [k for k in got if k not in keys]
    print("\n| figure | " + " | ".join(table) + " |")
    print("| --- |" + " --- |" * len(table))
    for key in keys:
        print(f"| {key} | " + " | ".join(got.get(key, "") for got in table.values()) + " |")
    for note in notes:
        print(f"- {note}")


if __name__ == "__main__":
    run()
