"""The checks every *Batch operation makes of its entries before any is tried."""

from __future__ import annotations

import re
from typing import Any

from lamina.protocol.errors import ServiceError

MAX_ENTRIES = 10
_ENTRY_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")


def check_entries(entries: list[dict[str, Any]], entry_shape: str) -> None:
    if not entries:
        raise ServiceError(
            "EmptyBatchRequest", f"There should be at least one {entry_shape} in the request."
        )
    if len(entries) > MAX_ENTRIES:
        raise ServiceError(
            "TooManyEntriesInBatchRequest",
            f"Maximum number of entries per request are {MAX_ENTRIES}. You have sent "
            f"{len(entries)}.",
        )
    seen: set[str] = set()
    for entry in entries:
        entry_id = entry["Id"]
        if not _ENTRY_ID.fullmatch(entry_id):
            raise ServiceError(
                "InvalidBatchEntryId",
                "A batch entry id can only contain alphanumeric characters, hyphens and "
                "underscores. It can be at most 80 letters long.",
            )
        if entry_id in seen:
            raise ServiceError("BatchEntryIdsNotDistinct", f"Id {entry_id} repeated.")
        seen.add(entry_id)


def failure(entry_id: str, error: ServiceError) -> dict[str, Any]:
    """A Failed entry for an entry's own error, as AWS lists it."""
    return {
        "Id": entry_id,
        "SenderFault": error.sender_fault,
        "Code": error.code,
        "Message": error.message,
    }
