"""Two Lamina nodes on one PostgreSQL store serve one queue: their consumers never take the
same message (SKIP LOCKED), and a long poll on one node sees a send made on the other."""

from __future__ import annotations

import threading
import time

import pytest

from tests.conftest import PG_URL, client, own_server
from tests.server import LaminaServer

pytestmark = pytest.mark.skipif(
    not PG_URL, reason="LAMINA_TEST_DATABASE_URL is not set (CI sets it)"
)


def test_two_nodes_share_a_queue(tmp_path):
    with own_server(tmp_path / "a", "postgresql", "sqs_fleet") as first:
        second = LaminaServer(tmp_path / "b", first.env)
        second.start()
        try:
            one, two = client("sqs", first.url), client("sqs", second.url)
            url = one.create_queue(QueueName="shared")["QueueUrl"]
            for start in range(0, 300, 10):
                one.send_message_batch(
                    QueueUrl=url,
                    Entries=[{"Id": str(i), "MessageBody": f"m{start + i}"} for i in range(10)],
                )
            taken: dict[str, list[str]] = {"one": [], "two": []}

            def drain(name: str, sqs) -> None:
                while True:
                    got = sqs.receive_message(
                        QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=120
                    ).get("Messages", [])
                    if not got:
                        return
                    taken[name] += [m["Body"] for m in got]

            workers = [
                threading.Thread(target=drain, args=("one", one)),
                threading.Thread(target=drain, args=("two", two)),
            ]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join(timeout=120)
            assert not set(taken["one"]) & set(taken["two"])
            assert sorted(taken["one"] + taken["two"]) == sorted(f"m{i}" for i in range(300))

            timer = threading.Timer(1.0, lambda: one.send_message(QueueUrl=url, MessageBody="x"))
            started = time.monotonic()
            timer.start()
            try:
                got = two.receive_message(QueueUrl=url, WaitTimeSeconds=10)
            finally:
                timer.join()
            assert got["Messages"][0]["Body"] == "x"
            assert time.monotonic() - started < 8
        finally:
            second.stop()
