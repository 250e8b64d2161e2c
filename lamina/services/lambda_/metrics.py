"""Lambda's function metrics: to CloudWatch (namespace AWS/Lambda) and as running totals for
Prometheus (GET /_lamina/metrics).

As on Lambda, each metric is published per function (dimension FunctionName) and for the whole
account and region (no dimensions); an invocation of a published version or an alias is also
counted per Resource (FunctionName and Resource, `name:qualifier`) and, for an alias, per version
it ran (FunctionName, Resource and ExecutedVersion). The asynchronous and destination metrics
are per function only."""

from __future__ import annotations

import threading
from collections import defaultdict

from lamina.execution.concurrency import FunctionKey
from lamina.services.cloudwatch.aggregate import Series
from lamina.services.cloudwatch.recorder import MetricRecorder

NAMESPACE = "AWS/Lambda"

# (CloudWatch name, Prometheus name, help) of the metrics counted per function.
_COUNTERS = {
    "Invocations": ("lamina_lambda_invocations_total", "Invocations that ran the function."),
    "Errors": ("lamina_lambda_errors_total", "Invocations that ended in a function error."),
    "Throttles": ("lamina_lambda_throttles_total", "Invocation requests throttled."),
    "AsyncEventsReceived": (
        "lamina_lambda_async_events_received_total",
        "Events accepted for asynchronous invocation.",
    ),
    "AsyncEventsDropped": (
        "lamina_lambda_async_events_dropped_total",
        "Asynchronous events dropped: too old, out of retries, or their function gone.",
    ),
    "DestinationDeliveryFailures": (
        "lamina_lambda_destination_delivery_failures_total",
        "Invocation records that could not be sent to their destination.",
    ),
    "DeadLetterErrors": (
        "lamina_lambda_dead_letter_errors_total",
        "Dropped events that could not be sent to the function's dead-letter queue.",
    ),
}
_SUMMARIES = {
    "Duration": ("lamina_lambda_duration_milliseconds", "Time the function code ran."),
    "AsyncEventAge": (
        "lamina_lambda_async_event_age_milliseconds",
        "Time from accepting an asynchronous event to invoking the function with it.",
    ),
}


# The extra dimensions an invocation is counted under besides FunctionName.
Scopes = tuple[dict[str, str], ...]


def scopes_of(name: str, qualifier: str | None, executed_version: str) -> Scopes:
    """Lambda's per-Resource dimensions of an invocation of `name:qualifier`: none for the
    unpublished function, Resource for a version, and for an alias also the version it ran."""
    if qualifier is None or qualifier == "$LATEST":
        return ()
    resource = {"Resource": f"{name}:{qualifier}"}
    if qualifier.isdigit():
        return (resource,)
    return (resource, {**resource, "ExecutedVersion": executed_version})


class _FunctionSeries:
    """The series an invocation of a function's $LATEST adds to, per function and for the
    account, made once per function rather than per invocation."""

    __slots__ = ("concurrent", "concurrent_account", "duration", "errors", "invocations")

    def __init__(self, function: FunctionKey) -> None:
        account, region, name = function
        dims = (("FunctionName", name),)

        def both(metric: str) -> tuple[Series, Series]:
            return (account, region, NAMESPACE, metric, dims), (
                account,
                region,
                NAMESPACE,
                metric,
                (),
            )

        self.invocations = both("Invocations")
        self.errors = both("Errors")
        self.duration = both("Duration")
        self.concurrent = (account, region, NAMESPACE, "ConcurrentExecutions", dims)
        self.concurrent_account = (account, region, NAMESPACE, "ConcurrentExecutions", ())


class LambdaMetrics:
    def __init__(self, recorder: MetricRecorder | None = None) -> None:
        self.recorder = recorder
        self._lock = threading.Lock()
        self._totals: dict[tuple[str, FunctionKey], float] = defaultdict(float)
        self._counts: dict[tuple[str, FunctionKey], int] = defaultdict(int)
        self._series: dict[FunctionKey, _FunctionSeries] = {}

    def clear(self) -> None:
        with self._lock:
            self._totals.clear()
            self._counts.clear()

    def _series_of(self, function: FunctionKey) -> _FunctionSeries:
        found = self._series.get(function)
        if found is None:
            if len(self._series) >= 10_000:
                self._series.clear()
            found = self._series[function] = _FunctionSeries(function)
        return found

    def invocation(
        self, function: FunctionKey, duration_ms: float, error: bool, scopes: Scopes = ()
    ) -> None:
        """`scopes`: the Resource (and ExecutedVersion) dimensions it is also counted under."""
        values = (
            ("Invocations", 1.0, "Count"),
            ("Errors", 1.0 if error else 0.0, "Count"),
            ("Duration", duration_ms, "Milliseconds"),
        )
        with self._lock:
            for name, value, _ in values:
                self._totals[(name, function)] += value
                self._counts[(name, function)] += 1
        if self.recorder is not None and not scopes:  # $LATEST: series known ahead
            series = self._series_of(function)
            errors = values[1][1]
            self.recorder.record_series((
                (series.invocations[0], 1.0, "Count"), (series.invocations[1], 1.0, "Count"),
                (series.errors[0], errors, "Count"), (series.errors[1], errors, "Count"),
                (series.duration[0], duration_ms, "Milliseconds"),
                (series.duration[1], duration_ms, "Milliseconds"),
            ))  # fmt: skip
        elif self.recorder is not None:
            account, region, function_name = function
            dimensions = {"FunctionName": function_name}
            self.recorder.record_values(account, region, NAMESPACE, dimensions, values, total=True)
            for scope in scopes:
                self.recorder.record_values(
                    account, region, NAMESPACE, {**dimensions, **scope}, values
                )

    def throttle(self, function: FunctionKey, scopes: Scopes = ()) -> None:
        self._emit("Throttles", function, 1.0, "Count", scopes=scopes)

    def concurrency(
        self, function: FunctionKey, running: int, in_account: int, scopes: Scopes = ()
    ) -> None:
        """A sample of the executions in flight, of the function and of its account on this
        node, taken as each one starts (Maximum is the statistic that means something, as on
        Lambda). The account's total is its own sample, not a sum of the function's."""
        if self.recorder is not None and not scopes:
            with self._lock:
                self._totals[("ConcurrentExecutions", function)] += running
                self._counts[("ConcurrentExecutions", function)] += 1
            series = self._series_of(function)
            self.recorder.record_series((
                (series.concurrent, float(running), "Count"),
                (series.concurrent_account, float(in_account), "Count"),
            ))  # fmt: skip
            return
        self._emit(
            "ConcurrentExecutions", function, float(running), "Count", total=False, scopes=scopes
        )
        if self.recorder is not None:
            account, region, _ = function
            self.recorder.record(
                account, region, NAMESPACE, "ConcurrentExecutions", {}, float(in_account), "Count"
            )

    def provisioned(
        self,
        function: FunctionKey,
        resource: str,
        served: bool,
        in_use: tuple[int, int] | None,
    ) -> None:
        """An invocation of a version or alias with provisioned concurrency: served by a
        provisioned environment or spilled over onto an on-demand one, and how many of the
        provisioned ones were busy as it started (per function and per Resource, as Lambda)."""
        name = (
            "ProvisionedConcurrencyInvocations"
            if served
            else "ProvisionedConcurrencySpilloverInvocations"
        )
        self._emit(name, function, 1.0, "Count")
        self._emit_resource(name, function, resource, 1.0, "Count")
        if in_use is None:
            return
        busy, total = in_use
        for emit in (self._emit, lambda n, f, v, u: self._emit_resource(n, f, resource, v, u)):
            emit("ProvisionedConcurrentExecutions", function, float(busy), "Count")
            if total:
                emit("ProvisionedConcurrencyUtilization", function, busy / total, "None")

    def _emit_resource(
        self, name: str, function: FunctionKey, resource: str, value: float, unit: str
    ) -> None:
        if self.recorder is not None:
            account, region, function_name = function
            dimensions = {"FunctionName": function_name, "Resource": resource}
            self.recorder.record(account, region, NAMESPACE, name, dimensions, value, unit)

    def async_received(self, function: FunctionKey) -> None:
        self._emit("AsyncEventsReceived", function, 1.0, "Count")

    def async_age(self, function: FunctionKey, age_ms: float) -> None:
        self._emit("AsyncEventAge", function, age_ms, "Milliseconds")

    def async_dropped(self, function: FunctionKey) -> None:
        self._emit("AsyncEventsDropped", function, 1.0, "Count")

    def destination_delivery_failure(self, function: FunctionKey) -> None:
        self._emit("DestinationDeliveryFailures", function, 1.0, "Count")

    def dead_letter_error(self, function: FunctionKey) -> None:
        self._emit("DeadLetterErrors", function, 1.0, "Count")

    def _emit(
        self,
        name: str,
        function: FunctionKey,
        value: float,
        unit: str,
        total: bool = True,
        scopes: Scopes = (),
    ) -> None:
        """Count the value for the function, under each of `scopes` and, unless `total` is
        False, for its account."""
        with self._lock:
            self._totals[(name, function)] += value
            self._counts[(name, function)] += 1
        if self.recorder is not None:
            account, region, function_name = function
            dimensions = {"FunctionName": function_name}
            self.recorder.record(
                account, region, NAMESPACE, name, dimensions, value, unit, total=total
            )
            for scope in scopes:
                self.recorder.record(
                    account, region, NAMESPACE, name, {**dimensions, **scope}, value, unit,
                    total=False,
                )  # fmt: skip

    def prometheus(self, running: dict[FunctionKey, int]) -> str:
        """Prometheus text exposition (version 0.0.4) of this node's totals since it started,
        and of the executions in flight now."""
        with self._lock:
            totals, counts = dict(self._totals), dict(self._counts)
        lines: list[str] = []
        for name, (metric, help_text) in _COUNTERS.items():
            lines += _family(metric, "counter", help_text)
            lines += [
                f"{metric}{_labels(f)} {_num(v)}" for (n, f), v in totals.items() if n == name
            ]
        for name, (metric, help_text) in _SUMMARIES.items():
            lines += _family(metric, "summary", help_text)
            for (n, f), v in totals.items():
                if n == name:
                    lines.append(f"{metric}_sum{_labels(f)} {_num(v)}")
                    lines.append(f"{metric}_count{_labels(f)} {counts[(n, f)]}")
        metric = "lamina_lambda_concurrent_executions"
        lines += _family(metric, "gauge", "Executions in flight on this node.")
        lines += [f"{metric}{_labels(f)} {n}" for f, n in sorted(running.items())]
        return "\n".join(lines) + "\n"


def _family(metric: str, kind: str, help_text: str) -> list[str]:
    return [f"# HELP {metric} {help_text}", f"# TYPE {metric} {kind}"]


def _labels(function: FunctionKey) -> str:
    account, region, name = function
    return f'{{account="{account}",region="{region}",function_name="{name}"}}'


def _num(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)
