"""Delivering invocation records (to Lambda functions and SQS queues) and dead-letter messages
(to SQS queues): work items of kind "lambda:destination", enqueued in the transaction that
finishes the event they tell of, so a crash between the two loses nothing (a crash after a
send may send it twice, never zero times).

The handler calls the target service's own operation in-process (Lambda's Invoke with
InvocationType Event; SQS's SendMessage) as the function's account. A send that fails (the
destination deleted, a message too large, a FIFO queue) is tried again after a short backoff
and then dropped with a log line and a metric, as Lambda does: DestinationDeliveryFailures for
a destination, DeadLetterErrors for a dead-letter queue.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict

from lamina.identity import root_of
from lamina.protocol.errors import ServiceError
from lamina.services.internal import InternalClient
from lamina.services.lambda_.destinations import Delivery
from lamina.services.lambda_.metrics import LambdaMetrics
from lamina.work.items import WorkItem
from lamina.work.kinds import Backoff, WorkKind

log = logging.getLogger("lamina.lambda.async")

KIND = "lambda:destination"
HOLD_LIMIT = 200


def pack(delivery: Delivery) -> bytes:
    return json.dumps(asdict(delivery), separators=(",", ":")).encode()


def unpack(payload: bytes) -> Delivery:
    fields = json.loads(payload)
    fields["source"] = tuple(fields["source"])
    return Delivery(**fields)


def item_for(delivery: Delivery) -> WorkItem[Delivery]:
    account, region, _ = delivery.source
    now = time.time()
    return WorkItem(KIND, account, region, pack(delivery), now, now, value=delivery)


def queue_parts(arn: str) -> tuple[str, str, str] | None:
    """(region, account, name) of an SQS queue ARN, or None when it is not one."""
    parts = arn.split(":")
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sqs" or not parts[5]:
        return None
    if not parts[1].startswith("aws") or len(parts[4]) != 12 or not parts[4].isdigit():
        return None
    return parts[3], parts[4], parts[5]


class Deliveries:
    def __init__(
        self,
        internal: InternalClient | None,
        metrics: LambdaMetrics,
        retry_delays: tuple[float, ...],
    ) -> None:
        self.internal = internal
        self.metrics = metrics
        # One send, then one more after each delay (by default three in about three seconds).
        self.backoff = Backoff(retry_delays, max_attempts=len(retry_delays) + 1)

    def kind(self) -> WorkKind[Delivery]:
        return WorkKind(KIND, pack, unpack, self.send, self.backoff, self.failed, HOLD_LIMIT)

    async def send(self, item: WorkItem[Delivery]) -> None:
        delivery = item.value
        if self.internal is None:
            raise LookupError("Lamina has no services to deliver to")
        caller = root_of(delivery.source[0])  # the function's account sends
        arn = delivery.target_arn
        if arn.split(":")[2:3] == ["lambda"]:  # an asynchronous invoke of the destination
            params = {"FunctionName": arn, "InvocationType": "Event",
                      "Payload": delivery.body.encode()}  # fmt: skip
            await self.internal.call_async(
                "lambda", "Invoke", params, identity=caller, region=arn.split(":")[3]
            )
            return
        parts = queue_parts(arn)
        if parts is None or not self.internal.serves("sqs"):
            raise LookupError(f"Lamina cannot send to {arn}")
        region, owner, name = parts
        found = await self.internal.call_async(
            "sqs", "GetQueueUrl", {"QueueName": name, "QueueOwnerAWSAccountId": owner},
            identity=caller, region=region,
        )  # fmt: skip
        message: dict = {"QueueUrl": found["QueueUrl"], "MessageBody": delivery.body}
        if delivery.attributes:
            message["MessageAttributes"] = delivery.attributes
        await self.internal.call_async(
            "sqs", "SendMessage", message, identity=caller, region=region
        )

    async def failed(self, item: WorkItem[Delivery], error: BaseException) -> None:
        delivery = item.value
        what = "dead-letter message" if delivery.dead_letter else "invocation record"
        log.warning(
            "dropped the %s of function %s for %s: %s",
            what, delivery.source[2], delivery.target_arn, error,
        )  # fmt: skip
        if delivery.dead_letter:
            self.metrics.dead_letter_error(delivery.source)
        else:
            self.metrics.destination_delivery_failure(delivery.source)


def queue_exists(internal: InternalClient | None, arn: str, account_id: str) -> bool:
    """Whether the queue `arn` names is there, asked of SQS as `account_id` (from a provider's
    thread). Lamina does not evaluate IAM policies, so where AWS checks that the execution role
    may send to the queue, Lamina checks that there is a queue to send to."""
    parts = queue_parts(arn)
    if parts is None or internal is None:
        return False
    region, owner, name = parts
    try:
        internal.call(
            "sqs", "GetQueueUrl", {"QueueName": name, "QueueOwnerAWSAccountId": owner},
            identity=root_of(account_id), region=region,
        )  # fmt: skip
    except ServiceError:
        return False
    return True
