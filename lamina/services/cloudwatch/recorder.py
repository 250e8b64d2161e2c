"""The in-process API through which Lamina's services emit CloudWatch metrics."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Mapping, Sequence

from lamina.services.cloudwatch import metrics
from lamina.services.cloudwatch.aggregate import Batch, Series, bucket_start
from lamina.services.cloudwatch.dimensions import Dimensions, of_mapping
from lamina.store import Store

log = logging.getLogger(__name__)


class MetricRecorder:
    """Aggregates metric values in memory and writes them to the store about once a second.

    `record()` is cheap enough for a hot path (an invocation): one dict lookup under a lock.
    Values of the same series, minute and unit merge into one aggregate (SampleCount, Sum,
    Minimum, Maximum), and `flush()` writes all of them in one transaction. A flush that fails
    keeps its data for the next one. What is still in memory (at most about a second's worth) is
    lost if the process dies: these are Lamina's own metrics, not data a caller was promised
    (PutMetricData writes to the store before it answers).
    """

    def __init__(self, store: Store, interval: float = 1.0) -> None:
        self.store = store
        self.interval = interval
        self._pending = Batch()
        self._lock = threading.Lock()  # guards _pending
        self._flushing = threading.Lock()  # one flush at a time, so none overtakes another
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def record(
        self,
        account_id: str,
        region: str,
        namespace: str,
        metric_name: str,
        dimensions: Mapping[str, str],
        value: float,
        unit: str = "None",
        timestamp: float | None = None,
        total: bool = False,
    ) -> None:
        """`total`: the value also counts in the metric's series without dimensions, the
        account-wide total AWS services publish beside their per-resource series (one more
        aggregate in memory, under the same lock)."""
        if not math.isfinite(value):  # CloudWatch stores no NaN or infinity
            return
        series = (account_id, region, namespace, metric_name, _dimensions_of(dimensions))
        when = time.time() if timestamp is None else timestamp
        with self._lock:
            self._pending.add_value(series, when, unit, value)
            if total and dimensions:
                total_series = (account_id, region, namespace, metric_name, ())
                self._pending.add_value(total_series, when, unit, value)

    def record_values(
        self,
        account_id: str,
        region: str,
        namespace: str,
        dimensions: Mapping[str, str],
        values: Sequence[tuple[str, float, str]],
        total: bool = False,
    ) -> None:
        """Several metrics of one series' dimensions at once, (name, value, unit) each: one
        clock read and one lock for all of them (an invocation records three)."""
        dims = _dimensions_of(dimensions)
        bucket = bucket_start(time.time())
        pending_total = total and bool(dimensions)
        with self._lock:
            add = self._pending.add_in_bucket
            for name, value, unit in values:
                if not math.isfinite(value):
                    continue
                add((account_id, region, namespace, name, dims), bucket, unit, value)
                if pending_total:
                    add((account_id, region, namespace, name, ()), bucket, unit, value)

    def record_series(self, entries: Sequence[tuple[Series, float, str]]) -> None:
        """Values of series worked out ahead (series, value, unit each): one clock read and one
        lock, no dimensions to sort (an invocation's metrics, whose series repeat)."""
        bucket = bucket_start(time.time())
        with self._lock:
            add = self._pending.add_in_bucket
            for series, value, unit in entries:
                if math.isfinite(value):
                    add(series, bucket, unit, value)

    def flush(self) -> None:
        """Write everything pending, in one transaction; on failure keep it and log why."""
        with self._flushing:
            with self._lock:
                batch, self._pending = self._pending, Batch()
            if not batch.slots:
                return
            try:
                with self.store.write() as conn:
                    metrics.write_batch(conn, batch, time.time())
            except Exception:
                log.exception(
                    "could not write %d metric aggregates; kept for the next try", len(batch)
                )
                with self._lock:
                    batch.absorb(self._pending)
                    self._pending = batch

    def discard(self) -> None:
        """Forget what is pending (the store was wiped)."""
        with self._lock:
            self._pending = Batch()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="lamina-metrics-flush", daemon=True
            )
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.flush()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.flush()


def _dimensions_of(given: Mapping[str, str]) -> Dimensions:
    return of_mapping(given) if given else ()
