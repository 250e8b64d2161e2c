"""MetricRecorder, the in-process API Lamina's services emit metrics through, on a store."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from lamina.services.cloudwatch import metrics
from lamina.services.cloudwatch.recorder import MetricRecorder
from lamina.store import open_store
from tests.conftest import ENGINES, PG_URL


@pytest.fixture(params=ENGINES)
def store(request, tmp_path: Path):
    url = PG_URL if request.param == "postgresql" else f"sqlite:///{tmp_path / 'lamina.db'}"
    assert url
    opened = open_store(url, tmp_path)
    yield opened
    opened.close()


def account() -> str:
    """An account of this test's own: a PostgreSQL store is shared with other tests."""
    return f"{time.time_ns() % 10**12:012d}"


def stored(store, owner: str, name: str, dims: dict[str, str]):
    with store.read() as conn:
        metric = metrics.find(
            conn, owner, "us-east-1", "AWS/Lambda", name, tuple(sorted(dims.items()))
        )
        assert metric is not None
        return metrics.buckets(conn, metric, 0, 2**40, None)


def test_records_in_one_minute_merge_into_one_aggregate(store):
    recorder = MetricRecorder(store)
    owner = account()
    minute = (int(time.time()) // 60 - 3) * 60
    fn = {"FunctionName": "f"}
    recorder.record(
        owner, "us-east-1", "AWS/Lambda", "Duration", fn, 12.0, "Milliseconds", minute + 5
    )
    recorder.record(
        owner, "us-east-1", "AWS/Lambda", "Duration", fn, 3.0, "Milliseconds", minute + 50
    )
    recorder.record(
        owner, "us-east-1", "AWS/Lambda", "Duration", fn, 8.0, "Milliseconds", minute + 60
    )
    recorder.flush()
    recorder.record(
        owner, "us-east-1", "AWS/Lambda", "Duration", fn, 30.0, "Milliseconds", minute + 1
    )
    recorder.flush()  # merged into the stored row, not next to it
    ((first, unit, a), (second, _, b)) = sorted(stored(store, owner, "Duration", fn))
    assert (first, second, unit) == (minute, minute + 60, "Milliseconds")
    assert (a.sample_count, a.sum, a.minimum, a.maximum) == (3, 45.0, 3.0, 30.0)
    assert (b.sample_count, b.sum, b.minimum, b.maximum) == (1, 8.0, 8.0, 8.0)


def test_a_failed_flush_keeps_the_data_for_the_next(store, monkeypatch, caplog):
    recorder = MetricRecorder(store)
    owner = account()
    at = time.time() - 120
    recorder.record(owner, "us-east-1", "AWS/Lambda", "Invocations", {}, 1.0, "Count", at)
    with monkeypatch.context() as patched:
        patched.setattr(metrics, "write_batch", _fail)
        recorder.flush()
    assert "kept for the next try" in caplog.text
    recorder.record(owner, "us-east-1", "AWS/Lambda", "Invocations", {}, 1.0, "Count", at)
    recorder.flush()
    ((_, _, aggregate),) = stored(store, owner, "Invocations", {})
    assert aggregate.sample_count == 2 and aggregate.sum == 2.0


def test_close_flushes_and_the_thread_flushes_on_its_own(store):
    recorder = MetricRecorder(store, interval=0.05)
    recorder.start()
    owner = account()
    recorder.record(owner, "us-east-1", "AWS/Lambda", "Throttles", {}, 1.0)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with store.read() as conn:
            if metrics.find(conn, owner, "us-east-1", "AWS/Lambda", "Throttles", ()):
                break
        time.sleep(0.02)
    recorder.record(owner, "us-east-1", "AWS/Lambda", "Throttles", {}, 1.0)
    recorder.close()
    ((_, _, aggregate),) = stored(store, owner, "Throttles", {})
    assert aggregate.sample_count == 2


def _fail(*_args, **_kwargs):
    raise RuntimeError("the store is away")
