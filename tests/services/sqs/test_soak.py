"""Under load and restarts: 5,000 messages sent by 4 producers while 4 consumers receive and
delete, the server SIGKILLed and restarted twice mid-way. Every acknowledged send is received
at least once; none is lost. On SQLite, and on PostgreSQL when LAMINA_TEST_DATABASE_URL is set."""

from __future__ import annotations

import signal
import threading
import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from tests.conftest import ENGINES, own_server

TOTAL = 5000
PRODUCERS = 4
CONSUMERS = 4


def _client(url: str):
    return boto3.client(
        "sqs",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=2, read_timeout=30),
    )


@pytest.mark.soak
@pytest.mark.timeout(600)
@pytest.mark.parametrize("engine", ENGINES)
def test_no_acknowledged_message_is_lost_across_kills(tmp_path, engine):
    with own_server(tmp_path / "data", engine, "sqs_soak") as lamina:
        queue = _client(lamina.url).create_queue(
            QueueName="soak", Attributes={"VisibilityTimeout": "5"}
        )["QueueUrl"]
        acknowledged: set[str] = set()
        received: set[str] = set()
        lock = threading.Lock()
        producing = threading.Event()
        producing.set()
        stop = threading.Event()

        def produce(worker: int) -> None:
            sqs = _client(lamina.url)
            for i in range(worker, TOTAL, PRODUCERS):
                body = f"m{i}"
                while True:
                    try:
                        if i % 20 < 10:
                            sqs.send_message(QueueUrl=queue, MessageBody=body)
                        else:
                            sqs.send_message_batch(
                                QueueUrl=queue, Entries=[{"Id": "e", "MessageBody": body}]
                            )
                        break
                    except (BotoCoreError, ClientError):
                        time.sleep(0.2)  # the server is down: try again, it may be a duplicate
                with lock:
                    acknowledged.add(body)

        def consume() -> None:
            sqs = _client(lamina.url)
            while not stop.is_set():
                try:
                    got = sqs.receive_message(
                        QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1
                    ).get("Messages", [])
                    if got:
                        with lock:
                            received.update(m["Body"] for m in got)
                        sqs.delete_message_batch(
                            QueueUrl=queue,
                            Entries=[
                                {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]}
                                for n, m in enumerate(got)
                            ],
                        )
                except (BotoCoreError, ClientError):
                    time.sleep(0.2)

        producers = [threading.Thread(target=produce, args=(w,)) for w in range(PRODUCERS)]
        consumers = [threading.Thread(target=consume) for _ in range(CONSUMERS)]
        for thread in producers + consumers:
            thread.start()
        try:
            for fraction in (0.3, 0.6):
                while len(acknowledged) < TOTAL * fraction:
                    time.sleep(0.05)
                lamina.stop(signal.SIGKILL)
                lamina.start()
            for thread in producers:
                thread.join(timeout=300)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                with lock:
                    if acknowledged <= received:
                        break
                time.sleep(0.5)
        finally:
            stop.set()
            for thread in producers + consumers:
                thread.join(timeout=60)
        assert len(acknowledged) == TOTAL
        missing = acknowledged - received
        assert not missing, f"{len(missing)} acknowledged messages never received"
