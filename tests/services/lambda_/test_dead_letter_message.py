"""The dead-letter message and the invocation record, built from an event's outcome (pure
logic; test_destinations_sqs.py has them end to end through a real queue)."""

from __future__ import annotations

import json

from lamina.execution.function import InvocationResult
from lamina.services.lambda_ import delivery
from lamina.services.lambda_.async_events import AsyncEvent
from lamina.services.lambda_.destinations import invocation_record, outcome_for

EVENT = AsyncEvent("req-1", "111111111111", "eu-west-1", "fn", "", b'{"a": 1}', "Root=1", 10.0)
QUEUE = "arn:aws:sqs:eu-west-1:111111111111:dlq"


def test_the_error_message_is_the_function_s_truncated_to_1_kb():
    failed = InvocationResult(json.dumps({"errorMessage": "é" * 1000}).encode(), "Unhandled")
    (message,) = outcome_for(EVENT, "RetriesExhausted", failed, 3, {}, QUEUE)
    text = message.attributes["ErrorMessage"]["StringValue"]
    assert len(text.encode()) <= 1024 and text == "é" * 512
    assert message.attributes["ErrorCode"] == {"DataType": "Number", "StringValue": "200"}
    assert message.body == '{"a": 1}' and message.dead_letter and message.target_arn == QUEUE


def test_an_event_that_never_ran_has_no_response_in_its_record():
    record = invocation_record(EVENT, "EventAgeExceeded", None, 0)
    assert "responseContext" not in record and "responsePayload" not in record
    assert record["requestContext"]["approximateInvokeCount"] == 0
    assert record["requestContext"]["functionArn"].endswith(":function:fn:$LATEST")


def test_success_goes_to_on_success_only_and_never_to_the_dead_letter_queue():
    config = {
        "DestinationConfig": {
            "OnSuccess": {"Destination": "arn:aws:sqs:eu-west-1:111111111111:ok"},
            "OnFailure": {"Destination": "arn:aws:lambda:eu-west-1:111111111111:function:f"},
        }
    }
    ok = InvocationResult(b'"fine"', None)
    sent = outcome_for(EVENT, "Success", ok, 1, config, QUEUE)
    assert [d.target_arn for d in sent] == ["arn:aws:sqs:eu-west-1:111111111111:ok"]
    failed = InvocationResult(b"{}", "Handled")
    sent = outcome_for(EVENT, "RetriesExhausted", failed, 3, config, QUEUE)
    assert [(d.target_arn, d.dead_letter) for d in sent] == [
        ("arn:aws:lambda:eu-west-1:111111111111:function:f", False),
        (QUEUE, True),
    ]
    assert json.loads(sent[0].body)["requestContext"]["condition"] == "RetriesExhausted"


def test_a_delivery_survives_its_packing():
    (message,) = outcome_for(EVENT, "EventAgeExceeded", None, 0, {}, QUEUE)
    assert delivery.unpack(delivery.pack(message)) == message
