"""Event source mappings: the time from SendMessage answering to the function starting with the
message, one message at a time, through a mapping of an SQS queue to a warm function (the long
poll wakes on the send). SQLite store, the default sandbox."""

from __future__ import annotations

import statistics
import time

from bench.control_plane import lambda_client
from bench.harness import Lamina
from bench.invoke import ROLE, pct
from tests.conftest import client, make_zip, wait_for
from tests.services.lambda_.asyncing import marks

STAMPING = make_zip(
    {
        "app.py": "import json, time\n"
        "def handler(event, context):\n"
        "    for record in event['Records']:\n"
        "        print('MARK ' + json.dumps({'event': record['body'], 't': time.time()}))\n"
        "    return {}\n"
    }
)


def send_to_start(url: str, queue_url: str, count: int = 200) -> tuple[list[float], list[float]]:
    """(SendMessage answered → function start, request sent → start) in ms."""
    sqs = client("sqs", url)
    sent, answered = {}, {}
    for n in range(count):
        began = time.time()
        sqs.send_message(QueueUrl=queue_url, MessageBody=str(n))
        answered[str(n)], sent[str(n)] = time.time(), began
        time.sleep(0.02)  # the environment is free again before the next message
    logs = client("logs", url)
    wait_for(lambda: len(marks(logs, "stamp")) >= count + 1, timeout=60)  # and the warm-up
    started = {mark["event"]: mark["t"] for mark in marks(logs, "stamp")}
    after_answer = [(started[n] - answered[n]) * 1000 for n in started if n in answered]
    after_send = [(started[n] - sent[n]) * 1000 for n in started if n in sent]
    return after_answer, after_send


def run() -> None:
    with Lamina({"LAMINA_IDLE_TIMEOUT": "600"}) as lamina:
        lam, sqs = lambda_client(lamina.url), client("sqs", lamina.url)
        lam.create_function(
            FunctionName="stamp", Runtime="python3.12", Role=ROLE, Handler="app.handler",
            Code={"ZipFile": STAMPING},
        )  # fmt: skip
        queue_url = sqs.create_queue(QueueName="bench")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
        uuid = lam.create_event_source_mapping(
            EventSourceArn=arn["Attributes"]["QueueArn"], FunctionName="stamp"
        )["UUID"]
        wait_for(lambda: lam.get_event_source_mapping(UUID=uuid)["State"] == "Enabled")
        sqs.send_message(QueueUrl=queue_url, MessageBody="warm")  # the environment starts
        wait_for(lambda: marks(client("logs", lamina.url), "stamp"), timeout=60)
        after_answer, after_send = send_to_start(lamina.url, queue_url)
        print(f"SendMessage answered → function start p50 {statistics.median(after_answer):.2f} ms"
              f"  p99 {pct(after_answer, 99):.2f} ms; request sent → start p50 "
              f"{statistics.median(after_send):.2f} ms  p99 {pct(after_send, 99):.2f} ms "
              f"({len(after_answer)} messages)")  # fmt: skip


if __name__ == "__main__":
    run()
