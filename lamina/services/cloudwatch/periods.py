"""Time windows and periods of the read operations, and statistics over aggregates."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

from lamina.protocol.errors import ServiceError
from lamina.services.cloudwatch.aggregate import Aggregate
from lamina.services.cloudwatch.metrics import Bucket

HIGH_RESOLUTION_PERIODS = (1, 5, 10, 20, 30)  # and any multiple of 60
DAY = 86_400

STATISTICS: dict[str, Callable[[Aggregate], float]] = {
    "SampleCount": lambda a: a.sample_count,
    "Average": lambda a: a.sum / a.sample_count if a.sample_count else 0.0,
    "Sum": lambda a: a.sum,
    "Minimum": lambda a: a.minimum,
    "Maximum": lambda a: a.maximum,
}


@dataclass(frozen=True)
class Window:
    start: int  # rounded down as AWS rounds it; periods are aligned to it
    end: int  # exclusive
    period: int

    @property
    def count(self) -> int:
        """How many periods the window holds: the datapoints a query may answer, at most."""
        return math.ceil((self.end - self.start) / self.period)

    def period_of(self, timestamp: int) -> int:
        return self.start + (timestamp - self.start) // self.period * self.period


def valid_period(period: int) -> bool:
    return period in HIGH_RESOLUTION_PERIODS or (period > 0 and period % 60 == 0)


def window(
    start_time: dt.datetime,
    end_time: dt.datetime,
    period: int,
    now: float,
    error: Callable[[str], ServiceError],
    where: str = "",
) -> Window:
    """The window of a query, checked as AWS checks it; `error` makes the operation's error."""
    if not valid_period(period):
        # AWS documents the rule; this wording is Lamina's.
        raise error(f"The parameter {where}Period must be 1, 5, 10, 20, 30 or a multiple of 60.")
    start, end = start_time.timestamp(), end_time.timestamp()
    if start == end:
        raise error("The parameter StartTime must not equal parameter EndTime.")
    if start > end:
        raise error("The parameter EndTime must be greater than StartTime.")
    return Window(_round_start(start, period, now), math.ceil(end), period)


def _round_start(start: float, period: int, now: float) -> int:
    """As AWS documents: to the minute if less than 15 days ago, 5 minutes if less than 63,
    else the hour; to the period itself for periods under a minute."""
    age = now - start
    if period < 60:
        step = period
    elif age < 15 * DAY:
        step = 60
    elif age < 63 * DAY:
        step = 300
    else:
        step = 3600
    return int(start // step) * step


def in_periods(
    buckets: list[Bucket], window: Window, by_unit: bool = True
) -> dict[tuple[int, str], Aggregate]:
    """The buckets merged into the window's periods, per period start and (if `by_unit`) unit."""
    periods: dict[tuple[int, str], Aggregate] = {}
    for timestamp, unit, aggregate in buckets:
        key = (window.period_of(timestamp), unit if by_unit else "")
        found = periods.get(key)
        if found is None:
            periods[key] = aggregate
        else:
            found.merge(aggregate)
    return periods
