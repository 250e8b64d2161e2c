"""A metric's identity: namespace, name and the full set of its dimensions.

Dimensions are kept sorted by name, so the same set always gives the same series; in the store
they are canonical JSON, and the series is found by a hash of all three."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

Dimensions = tuple[tuple[str, str], ...]  # (name, value) pairs, sorted by name


def of_mapping(dimensions: Mapping[str, str]) -> Dimensions:
    return tuple(sorted(dimensions.items()))


def from_api(items: Iterable[Mapping[str, Any]] | None) -> Dimensions | None:
    """[{Name, Value}] as the API gives them; None when a name repeats (no series has that)."""
    pairs = sorted((item["Name"], item["Value"]) for item in items or ())
    names = [name for name, _ in pairs]
    return tuple(pairs) if len(set(names)) == len(names) else None


def to_api(text: str) -> list[dict[str, str]]:
    return [{"Name": name, "Value": value} for name, value in json.loads(text).items()]


def canonical(dimensions: Dimensions) -> str:
    return json.dumps(dict(dimensions), sort_keys=True, separators=(",", ":"))


def series_key(namespace: str, metric_name: str, dimensions_json: str) -> str:
    identity = json.dumps([namespace, metric_name, dimensions_json], separators=(",", ":"))
    return hashlib.sha256(identity.encode()).hexdigest()


def matches(dimensions_json: str, filters: list[tuple[str, str | None]]) -> bool:
    """ListMetrics' filters: the metric has each named dimension, with the value where given."""
    if not filters:
        return True
    have = json.loads(dimensions_json)
    return all(name in have and value in (None, have[name]) for name, value in filters)
