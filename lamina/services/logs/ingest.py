"""PutLogEvents' rules for a batch: what fails the call, and which events are rejected."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from lamina.services.logs.errors import invalid_parameter
from lamina.services.logs.retention import DAY_MS, oldest_kept
from lamina.services.logs.segments import event_size

MAX_BATCH_BYTES = 1_048_576  # the sum of every message's UTF-8 size plus 26 bytes an event
TOO_OLD_MS = 14 * DAY_MS
TOO_NEW_MS = 2 * 3_600_000
MAX_SPAN_MS = DAY_MS


@dataclass
class Batch:
    accepted: list[tuple[int, str]] = field(default_factory=list)
    rejected: dict[str, int] = field(default_factory=dict)  # rejectedLogEventsInfo
    size: int = 0  # of the accepted events, as storedBytes counts them


def check(log_events: Sequence[dict[str, Any]], now: int, retention: int | None) -> Batch:
    size = sum(event_size(event["message"]) for event in log_events)
    if size > MAX_BATCH_BYTES:
        # AWS's wording for this one is not documented; this says what was wrong.
        raise invalid_parameter(
            f"Upload too large: {size} bytes exceeds limit of {MAX_BATCH_BYTES}"
        )
    timestamps = [event["timestamp"] for event in log_events]
    if any(later < earlier for earlier, later in pairwise(timestamps)):
        raise invalid_parameter(
            "Log events in a single PutLogEvents request must be in chronological order."
        )
    batch = Batch()
    too_old, expired = now - TOO_OLD_MS, oldest_kept(retention, now)
    for index, event in enumerate(log_events):
        timestamp = event["timestamp"]
        if timestamp < too_old:
            batch.rejected["tooOldLogEventEndIndex"] = index
        elif timestamp < expired:
            batch.rejected["expiredLogEventEndIndex"] = index
        elif timestamp > now + TOO_NEW_MS:
            batch.rejected.setdefault("tooNewLogEventStartIndex", index)
        else:
            batch.accepted.append((timestamp, event["message"]))
            batch.size += event_size(event["message"])
    # The span rule applies to the events that are kept (AWS: "for valid events").
    if batch.accepted and batch.accepted[-1][0] - batch.accepted[0][0] > MAX_SPAN_MS:
        raise invalid_parameter(
            "The batch of log events in a single PutLogEvents request cannot span more than "
            "24 hours."
        )
    return batch
