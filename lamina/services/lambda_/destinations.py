"""Destinations of asynchronous invocations: the invocation record Lambda sends when an event
succeeds (OnSuccess) or is dropped (OnFailure).

Lamina delivers to Lambda function destinations, by queueing the record as an event of that
function; SQS, SNS, EventBridge and S3 destinations are refused when configured (see
event_invoke.py) until those services exist.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from lamina.execution.function import InvocationResult
from lamina.services.lambda_.arns import LATEST, function_arn, ref_from_arn
from lamina.services.lambda_.async_events import AsyncEvent


def record_for(
    event: AsyncEvent,
    condition: str,
    result: InvocationResult | None,
    attempts: int,
    config: dict[str, Any],
) -> AsyncEvent | None:
    """The record to queue for the destination this outcome goes to, or None if it has none."""
    which = "OnSuccess" if condition == "Success" else "OnFailure"
    arn = (config.get("DestinationConfig") or {}).get(which, {}).get("Destination")
    target = ref_from_arn(arn) if arn else None
    if target is None:
        return None
    record = invocation_record(event, condition, result, attempts)
    return AsyncEvent(
        request_id=str(uuid.uuid4()),
        account_id=target.account_id,
        region=target.region,
        function_name=target.name,
        qualifier=target.qualifier or "",
        payload=json.dumps(record).encode(),
        trace_id=event.trace_id,
        received_at=time.time(),
    )


def invocation_record(
    event: AsyncEvent, condition: str, result: InvocationResult | None, attempts: int
) -> dict[str, Any]:
    qualifier = event.qualifier or LATEST
    record: dict[str, Any] = {
        "version": "1.0",
        "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "requestContext": {
            "requestId": event.request_id,
            "functionArn": function_arn(
                event.region, event.account_id, event.function_name, qualifier
            ),
            "condition": condition,
            "approximateInvokeCount": attempts,
        },
        "requestPayload": _json_or_text(event.payload),
    }
    if result is not None:
        context: dict[str, Any] = {"statusCode": 200, "executedVersion": LATEST}
        if result.function_error:
            context["functionError"] = result.function_error
        record["responseContext"] = context
        record["responsePayload"] = _json_or_text(result.payload)
    return record


def _json_or_text(payload: bytes) -> Any:
    if not payload.strip():
        return None
    try:
        return json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return payload.decode("utf-8", "replace")
