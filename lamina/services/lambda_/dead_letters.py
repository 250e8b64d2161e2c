"""A function's dead-letter queue (DeadLetterConfig on CreateFunction and
UpdateFunctionConfiguration): where a dropped asynchronous event goes, unchanged
(destinations.dead_letter_message). SQS queues only, until Lamina serves SNS.

AWS checks, when the config is set, that the execution role may send to the target, and
answers InvalidParameterValueException "The provided execution role does not have permissions
to call SendMessage on SQS" when it may not. Lamina evaluates no IAM policies: it gives that
answer when the queue is not there (in another account, or not created yet).
"""

from __future__ import annotations

from typing import Any

from lamina.context import RequestContext
from lamina.services.internal import InternalClient
from lamina.services.lambda_.delivery import queue_exists, queue_parts
from lamina.services.lambda_.errors import invalid_parameter, not_supported


def check_dead_letter_config(
    internal: InternalClient | None, ctx: RequestContext, config: dict[str, Any]
) -> None:
    arn = config.get("TargetArn") or ""
    if not arn:
        return  # an empty TargetArn removes the dead-letter queue
    service = arn.split(":")[2] if arn.count(":") >= 5 else ""
    if service == "sns":
        raise not_supported("Amazon SNS topics as dead-letter queues (DeadLetterConfig)")
    if service != "sqs":
        raise invalid_parameter(
            f"The target ARN {arn} of the DeadLetterConfig is not an Amazon SQS queue or an"
            " Amazon SNS topic."
        )  # Lamina's wording: AWS's answer for this case is not documented
    if internal is None or not internal.serves("sqs"):
        raise not_supported("dead-letter queues while Lamina serves no SQS")
    parts = queue_parts(arn)
    if parts is None or parts[0] != ctx.region:
        raise invalid_parameter(f"The target ARN {arn} of the DeadLetterConfig is invalid.")
    if not queue_exists(internal, arn, ctx.account_id):
        raise invalid_parameter(
            "The provided execution role does not have permissions to call SendMessage on SQS"
        )


def apply_dead_letter_config(config: dict[str, Any], given: dict[str, Any]) -> None:
    """Set the function's dead-letter queue, or remove it (an empty TargetArn)."""
    if given.get("TargetArn"):
        config["DeadLetterConfig"] = {"TargetArn": given["TargetArn"]}
    else:
        config.pop("DeadLetterConfig", None)
