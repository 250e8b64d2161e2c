"""The server's instructions per call, counted by valgrind's callgrind: a figure that does not
move with the machine's speed, which here swings fourfold within a day.

`python -m bench.instructions WHAT [CALLS]` starts a Lamina server under callgrind with
counting off, drives it with boto3, counts only the timed calls, and prints thousands of
instructions (kIr) per call. WHAT: `send` (SendMessage), `batch` (SendMessageBatch of 10),
`drain` (ReceiveMessage of 10 and DeleteMessageBatch of them), `invoke` (Invoke of a Python
function). Sandboxes are not counted (callgrind does not follow the server's children), and
the server's own threads are: work a timer does per second weighs more on a slower run, so
compare two trees run side by side, not runs of different hours.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import boto3
import requests
from botocore.config import Config

from bench.invoke import create
from tests.server import free_port

REPO = Path(__file__).resolve().parent.parent
_COLLECTED = re.compile(r"Collected : (\d+)")
_WARM_UP = 50  # calls before counting: connections, caches, the first environment


def calls(what: str, url: str, n: int) -> Callable[[], object]:
    """The call to count, made ready: its function or queue, and for a drain `n` calls' worth
    of messages beside the warm-up's."""
    options: dict[str, object] = {
        "endpoint_url": url, "region_name": "us-east-1",
        "aws_access_key_id": "bench", "aws_secret_access_key": "bench",
        "config": Config(read_timeout=120, retries={"max_attempts": 0}),
    }  # fmt: skip
    if what == "invoke":
        lam = boto3.client("lambda", **options)  # type: ignore[call-overload]
        create(lam, "hello")
        return lambda: lam.invoke(FunctionName="hello")["Payload"].read()
    sqs = boto3.client("sqs", **options)  # type: ignore[call-overload]
    queue_url = sqs.create_queue(QueueName="bench")["QueueUrl"]
    entries = [{"Id": str(i), "MessageBody": "x" * 100} for i in range(10)]
    if what == "send":
        return lambda: sqs.send_message(QueueUrl=queue_url, MessageBody="x" * 100)
    if what == "batch":
        return lambda: sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)

    def drain() -> None:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
        handles = [
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)
        ]
        sqs.delete_message_batch(QueueUrl=queue_url, Entries=handles)

    for _ in range(_WARM_UP + n):  # a batch of ten for each drain call, warm-up included
        sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
    return drain


def count(what: str, n: int) -> float:
    """kIr per call of `what`, over `n` calls after the warm-up."""
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is not installed (Debian's package valgrind)")
    data = tempfile.mkdtemp(prefix="lamina-instructions-")
    log = Path(data) / "callgrind.log"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAMINA_")}
    env.setdefault("USER", "root")  # callgrind_control finds the server by a pipe named for it
    command = [
        "valgrind", "--tool=callgrind", "--instr-atstart=no",
        f"--callgrind-out-file={data}/callgrind.out",
        sys.executable, "-m", "lamina", "serve", "--port", str(port), "--data-dir", f"{data}/d",
    ]  # fmt: skip
    with open(log, "w") as out:
        server = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(3000):  # minutes: everything runs some fifty times slower under valgrind
            try:
                requests.get(url, timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        call = calls(what, url, n)
        for _ in range(_WARM_UP):
            call()
        control = ["callgrind_control", "-i"]
        subprocess.run([*control, "on", str(server.pid)], env=env, check=True, capture_output=True)
        for _ in range(n):
            call()
        subprocess.run([*control, "off", str(server.pid)], env=env, check=True, capture_output=True)
        server.send_signal(signal.SIGTERM)  # callgrind writes its totals as the server exits
        server.wait(timeout=600)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    found = _COLLECTED.findall(log.read_text())
    if not found:
        raise SystemExit(f"callgrind reported no total; see {log}")
    shutil.rmtree(data, ignore_errors=True)
    return int(found[-1]) / n / 1000


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "send"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    print(f"{what:7} {count(what, n):9.1f} kIr/call (server, {n} calls)")
