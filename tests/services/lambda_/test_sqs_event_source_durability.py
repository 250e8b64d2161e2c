"""A mapping keeps consuming across a crash: messages sent, the server killed (SIGKILL) while its
pollers work through them, and restarted on the same store: every message is processed at least
once."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.conftest import ENGINES, client, create_function, make_zip, own_server, wait_for
from tests.services.lambda_.sqsing import make_queue, map_queue

# Each record is written durably (PutLogEvents answers once stored) before the batch succeeds.
RECORDING = """import time, boto3
logs = boto3.client("logs")
def handler(event, context):
    time.sleep(0.1)  # a batch takes a while, so the kill lands mid-way even under load
    stamp = int(time.time() * 1000)
    logs.put_log_events(logGroupName="ran", logStreamName="messages",
                        logEvents=[{"timestamp": stamp, "message": r["body"]}
                                   for r in event["Records"]])
    return {}
"""


def _ran(logs) -> Counter[str]:
    seen: Counter[str] = Counter()
    kwargs = {"logGroupName": "ran", "logStreamName": "messages", "startFromHead": True}
    while True:
        page = logs.get_log_events(**kwargs)
        seen.update(event["message"] for event in page["events"])
        if not page["events"] or page["nextForwardToken"] == kwargs.get("nextToken"):
            return seen
        kwargs["nextToken"] = page["nextForwardToken"]


@pytest.mark.parametrize("engine", ENGINES)
def test_every_message_is_processed_after_a_sigkill_and_restart(tmp_path, engine):
    env = {"LAMINA_NODE_ID": "esm-durable-node"}
    with own_server(tmp_path / "data", engine, "lamina_esm_durability", env) as lamina:
        functions, logs = client("lambda", lamina.url), client("logs", lamina.url)
        sqs = client("sqs", lamina.url)
        logs.create_log_group(logGroupName="ran")
        logs.create_log_stream(logGroupName="ran", logStreamName="messages")
        create_function(
            functions, "recorder", Code={"ZipFile": make_zip({"handler.py": RECORDING})}, Timeout=2
        )
        functions.put_function_concurrency(FunctionName="recorder", ReservedConcurrentExecutions=2)
        url, arn = make_queue(sqs, "durable", VisibilityTimeout="3")
        for start in range(0, 300, 10):
            entries = [{"Id": str(n), "MessageBody": str(n)} for n in range(start, start + 10)]
            sqs.send_message_batch(QueueUrl=url, Entries=entries)
        map_queue(functions, arn, "recorder", BatchSize=2)
        before = wait_for(lambda: (seen := _ran(logs)) and len(seen) >= 20 and seen, timeout=60)
        lamina.kill()  # mid-way: batches running, messages waiting
        assert len(before) < 250, "the kill came too late to test anything"
        lamina.start()
        ran = wait_for(lambda: (seen := _ran(logs)) and len(seen) == 300 and seen, timeout=180)
        assert set(ran) == {str(n) for n in range(300)}
