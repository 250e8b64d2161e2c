"""CloudWatch Logs clients for the live server, and helpers the tests share."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lamina.store import Store, open_store
from tests.conftest import ENGINES, PG_URL, client


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


@pytest.fixture(params=ENGINES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A store of the test's own on each engine, for tests below the API (sink, segments)."""
    url = PG_URL if request.param == "postgresql" else f"sqlite:///{tmp_path / 'lamina.db'}"
    assert url
    opened = open_store(url, tmp_path)
    opened.reset()  # PostgreSQL's database is shared with the live server's tests
    yield opened
    opened.close()
