"""Asynchronous invocations as work items (kind "lambda:invoke", lamina/work/): what an event
carries, and how it is packed into an item's payload.

An event is enqueued before Invoke answers 202 and its item deleted once it is done (run, or
dropped); retries, leases and claims are the work queue's.
"""

from __future__ import annotations

from dataclasses import dataclass

from lamina.execution.concurrency import FunctionKey
from lamina.work.kinds import pack_with_body, unpack_with_body

KIND = "lambda:invoke"


@dataclass
class AsyncEvent:
    request_id: str
    account_id: str
    region: str
    function_name: str
    qualifier: str
    payload: bytes
    trace_id: str
    received_at: float  # seconds since the epoch

    @property
    def function(self) -> FunctionKey:
        return (self.account_id, self.region, self.function_name)


def pack(event: AsyncEvent) -> bytes:
    header = {
        "requestId": event.request_id,
        "account": event.account_id,
        "region": event.region,
        "functionName": event.function_name,
        "qualifier": event.qualifier,
        "traceId": event.trace_id,
        "receivedAt": event.received_at,
    }
    return pack_with_body(header, event.payload)


def unpack(payload: bytes) -> AsyncEvent:
    header, body = unpack_with_body(payload)
    return AsyncEvent(
        request_id=header["requestId"],
        account_id=header["account"],
        region=header["region"],
        function_name=header["functionName"],
        qualifier=header["qualifier"],
        payload=body,
        trace_id=header["traceId"],
        received_at=header["receivedAt"],
    )
