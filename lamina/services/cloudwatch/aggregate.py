"""Aggregates of metric values per series, time bucket and unit, merged in memory before they
are written (the recorder, PutMetricData) and after they are read (periods of a query)."""

from __future__ import annotations

from dataclasses import dataclass

from lamina.services.cloudwatch.dimensions import Dimensions

STANDARD_RESOLUTION = 60  # seconds a standard-resolution bucket covers


@dataclass(slots=True)
class Aggregate:
    sample_count: float
    sum: float
    minimum: float
    maximum: float

    @classmethod
    def of_value(cls, value: float, count: float = 1.0) -> Aggregate:
        return cls(count, value * count, value, value)

    def merge(self, other: Aggregate) -> None:
        self.sample_count += other.sample_count
        self.sum += other.sum
        self.minimum = min(self.minimum, other.minimum)
        self.maximum = max(self.maximum, other.maximum)

    def copy(self) -> Aggregate:
        return Aggregate(self.sample_count, self.sum, self.minimum, self.maximum)


# account, region, namespace, metric name, dimensions
Series = tuple[str, str, str, str, Dimensions]
Slot = tuple[Series, int, str]  # a series, the start of its bucket (epoch seconds), the unit


def bucket_start(timestamp: float, resolution: int = STANDARD_RESOLUTION) -> int:
    return int(timestamp // resolution) * resolution


class Batch:
    """Aggregates waiting to be written, one per slot."""

    __slots__ = ("slots",)

    def __init__(self) -> None:
        self.slots: dict[Slot, Aggregate] = {}

    def __len__(self) -> int:
        return len(self.slots)

    def add_value(self, series: Series, timestamp: float, unit: str, value: float) -> None:
        self.add_in_bucket(series, bucket_start(timestamp), unit, value)

    def add_in_bucket(self, series: Series, bucket: int, unit: str, value: float) -> None:
        """A value in a standard-resolution bucket already worked out (`bucket_start`)."""
        slot = (series, bucket, unit)
        found = self.slots.get(slot)
        if found is None:
            self.slots[slot] = Aggregate(1.0, value, value, value)
        else:  # inline merge: this is the recorder's hot path
            found.sample_count += 1.0
            found.sum += value
            if value < found.minimum:
                found.minimum = value
            if value > found.maximum:
                found.maximum = value

    def add(
        self,
        series: Series,
        timestamp: float,
        unit: str,
        aggregate: Aggregate,
        resolution: int = STANDARD_RESOLUTION,
    ) -> None:
        slot = (series, bucket_start(timestamp, resolution), unit)
        found = self.slots.get(slot)
        if found is None:
            self.slots[slot] = aggregate.copy()
        else:
            found.merge(aggregate)

    def absorb(self, other: Batch) -> None:
        """Merge another batch into this one (e.g. what came in while a failed write ran)."""
        for slot, aggregate in other.slots.items():
            found = self.slots.get(slot)
            if found is None:
                self.slots[slot] = aggregate
            else:
                found.merge(aggregate)
