"""CloudWatch Logs clients for the live server, and helpers the tests share."""

from __future__ import annotations

import time

import pytest

from tests.conftest import client


@pytest.fixture
def logs(endpoint: str):
    return client("logs", endpoint)


@pytest.fixture
def unvalidated_logs(endpoint: str):
    return client("logs", endpoint, validate=False)


def now_ms() -> int:
    return int(time.time() * 1000)


def make_stream(logs, group: str = "g", stream: str = "s") -> None:
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName=stream)


def put(logs, messages: list[str], group: str = "g", stream: str = "s", start: int | None = None):
    """Put one event a message, a millisecond apart, starting `start` (default: a minute ago)."""
    base = now_ms() - 60_000 if start is None else start
    batch = [{"timestamp": base + i, "message": m} for i, m in enumerate(messages)]
    return logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=batch)
