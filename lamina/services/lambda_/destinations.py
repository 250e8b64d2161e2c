"""Where an asynchronous event's outcome goes: the invocation record Lambda sends to an
OnSuccess or OnFailure destination, and the original event it sends to the function's
dead-letter queue when the event is dropped.

Each is a delivery (delivery.py): a record for a Lambda function is sent as an asynchronous
Invoke of it, one for an SQS queue, and a dead-letter message, as a SendMessage. SNS, EventBridge
and S3 targets are refused when configured (event_invoke.py, dead_letters.py) until those
services exist.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lamina.execution.concurrency import FunctionKey
from lamina.execution.function import InvocationResult
from lamina.services.lambda_.arns import LATEST, function_arn
from lamina.services.lambda_.async_events import AsyncEvent

ERROR_MESSAGE_LIMIT = 1024  # a dead-letter message's ErrorMessage, as AWS truncates it


@dataclass
class Delivery:
    """A message for a function or an SQS queue, on behalf of the function whose event it
    tells of."""

    target_arn: str  # a function ARN (arn:aws:lambda:…) or a queue ARN (arn:aws:sqs:…)
    body: str
    source: FunctionKey  # the function: its account sends, its metrics count a failure
    dead_letter: bool = False  # to the function's DeadLetterConfig, not a destination
    attributes: dict[str, dict[str, str]] = field(default_factory=dict)  # MessageAttributes


def outcome_for(
    event: AsyncEvent,
    condition: str,
    result: InvocationResult | None,
    attempts: int,
    config: dict[str, Any],
    dead_letter_arn: str | None,
) -> list[Delivery]:
    """The record for the destination this outcome goes to, if any, and the dead-letter
    message for a dropped event when the function has a dead-letter queue."""
    deliveries = []
    which = "OnSuccess" if condition == "Success" else "OnFailure"
    arn = (config.get("DestinationConfig") or {}).get(which, {}).get("Destination")
    if arn:
        record = json.dumps(invocation_record(event, condition, result, attempts))
        deliveries.append(Delivery(arn, record, event.function))
    if condition != "Success" and dead_letter_arn:
        deliveries.append(dead_letter_message(event, result, dead_letter_arn))
    return deliveries


def invocation_record(
    event: AsyncEvent, condition: str, result: InvocationResult | None, attempts: int
) -> dict[str, Any]:
    """The record as Lambda writes it. The function ARN carries the version that was invoked
    ($LATEST for an unqualified invoke). An event dropped without having run (too old while
    throttled) has no responseContext and no responsePayload."""
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
        context: dict[str, Any] = {"statusCode": 200, "executedVersion": result.executed_version}
        if result.function_error:
            context["functionError"] = result.function_error
        record["responseContext"] = context
        record["responsePayload"] = _json_or_text(result.payload)
    return record


def dead_letter_message(
    event: AsyncEvent, result: InvocationResult | None, target_arn: str
) -> Delivery:
    """The original event, unchanged, with Lambda's three attributes: RequestID (String),
    ErrorCode (Number: the invocation's status, 200 when the function itself failed) and
    ErrorMessage (String: the function's errorMessage, at most 1 KB)."""
    if result is not None:
        code, message = "200", _error_message(result.payload)
    else:  # never ran: throttled until too old (Lamina's choice; AWS documents no example)
        code, message = "429", "The event reached its maximum age before it could run."
    attributes = {
        "RequestID": {"DataType": "String", "StringValue": event.request_id},
        "ErrorCode": {"DataType": "Number", "StringValue": code},
        "ErrorMessage": {"DataType": "String", "StringValue": message},
    }
    body = event.payload.decode("utf-8", "replace")
    return Delivery(target_arn, body, event.function, dead_letter=True, attributes=attributes)


def _error_message(payload: bytes) -> str:
    parsed = _json_or_text(payload)
    message = parsed.get("errorMessage") if isinstance(parsed, dict) else parsed
    text = str(message if message is not None else "")
    encoded = text.encode()[:ERROR_MESSAGE_LIMIT]
    return encoded.decode("utf-8", "ignore") or "Unhandled"  # SQS refuses an empty value


def _json_or_text(payload: bytes) -> Any:
    if not payload.strip():
        return None
    try:
        return json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return payload.decode("utf-8", "replace")
