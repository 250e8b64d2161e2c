"""Log events acknowledged by PutLogEvents survive a killed server (SIGKILL), on both engines."""

from __future__ import annotations

import signal
import time

import pytest

from tests.conftest import ENGINES, client, engine_env
from tests.server import LaminaServer


@pytest.mark.parametrize("engine", ENGINES)
def test_put_log_events_survive_sigkill(tmp_path, engine):
    lamina = LaminaServer(tmp_path / "data", engine_env(engine))
    lamina.start()
    key = f"{int(time.time() * 1000) % 10**12:012d}"  # an account of its own on a shared store
    logs = client("logs", lamina.url, access_key=key)
    logs.create_log_group(logGroupName="durable")
    logs.create_log_stream(logGroupName="durable", logStreamName="s")
    now = int(time.time() * 1000)
    sent = [{"timestamp": now + i, "message": f"line {i}"} for i in range(50)]
    logs.put_log_events(logGroupName="durable", logStreamName="s", logEvents=sent)
    lamina.stop(signal.SIGKILL)  # right after the answer: nothing may be lost
    lamina.start()
    try:
        got = logs.get_log_events(logGroupName="durable", logStreamName="s", startFromHead=True)
        assert [e["message"] for e in got["events"]] == [e["message"] for e in sent]
    finally:
        logs.delete_log_group(logGroupName="durable")
        lamina.stop()
