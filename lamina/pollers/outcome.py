"""What a batch's invocation answered, read as Lambda reads it: which records succeeded."""

from __future__ import annotations

import json
from typing import Any

from lamina.pollers.source import Record


def failed_items(payload: bytes, records: list[Record]) -> list[Record]:
    """The records a ReportBatchItemFailures response names as failed.

    As Lambda documents it: an empty or missing response, or an empty or null batchItemFailures
    list, is complete success; an entry whose itemIdentifier is missing, null, empty, or names no
    record of the batch makes the whole batch a failure. A response that is no JSON object says
    nothing of failures either, so it counts as success.
    """
    try:
        response: Any = json.loads(payload) if payload.strip() else None
    except (ValueError, UnicodeDecodeError):
        return []
    if not isinstance(response, dict):
        return []
    failures = response.get("batchItemFailures")
    if not failures:
        return []
    if not isinstance(failures, list):
        return records
    by_id = {record.item_id: record for record in records}
    failed: dict[str, Record] = {}
    for entry in failures:
        item = entry.get("itemIdentifier") if isinstance(entry, dict) else None
        if not isinstance(item, str) or item not in by_id:
            return records
        failed[item] = by_id[item]
    return list(failed.values())
