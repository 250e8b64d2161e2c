"""AWS service integrations of HTTP APIs (AWS_PROXY with an IntegrationSubtype): the request,
mapped to the service action's parameters (RequestParameters), and the action called through
the one in-process path (DESIGN decision 10) as the API's account; the answer is the action's
(https://docs.aws.amazon.com/apigateway/latest/developerguide/
http-api-develop-integrations-aws-services-reference.html). Lamina serves SQS's four; the
others AWS has (EventBridge, AppConfig, Kinesis, Step Functions) are refused by name.

CredentialsArn is kept and not assumed: the action runs as the API's account (IAM is not
enforced yet)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from lamina.identity import root_of
from lamina.protocol.errors import ServiceError
from lamina.protocol.http import HttpResponse
from lamina.services.apigatewayv2 import parameter_mapping
from lamina.services.apigatewayv2.errors import bad_request
from lamina.services.internal import InternalClient


@dataclass(frozen=True)
class Action:
    service: str
    operation: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    numbers: tuple[str, ...] = ()  # integers in the action, text in a mapping
    lists: tuple[str, ...] = ()  # lists: a JSON array or comma-separated text
    objects: tuple[str, ...] = ()  # maps: a JSON object


SUBTYPES = {
    "SQS-SendMessage": Action(
        "sqs", "SendMessage", ("QueueUrl", "MessageBody"),
        ("DelaySeconds", "MessageAttributes", "MessageDeduplicationId", "MessageGroupId",
         "MessageSystemAttributes", "Region"),
        numbers=("DelaySeconds",), objects=("MessageAttributes", "MessageSystemAttributes"),
    ),
    "SQS-ReceiveMessage": Action(
        "sqs", "ReceiveMessage", ("QueueUrl",),
        ("AttributeNames", "MaxNumberOfMessages", "MessageAttributeNames",
         "ReceiveRequestAttemptId", "VisibilityTimeout", "WaitTimeSeconds", "Region"),
        numbers=("MaxNumberOfMessages", "VisibilityTimeout", "WaitTimeSeconds"),
        lists=("AttributeNames", "MessageAttributeNames"),
    ),
    "SQS-DeleteMessage": Action("sqs", "DeleteMessage", ("QueueUrl", "ReceiptHandle"), ("Region",)),
    "SQS-PurgeQueue": Action("sqs", "PurgeQueue", ("QueueUrl",), ("Region",)),
}  # fmt: skip
NOT_SERVED = (
    "EventBridge-PutEvents", "AppConfig-GetConfiguration", "Kinesis-PutRecord",
    "StepFunctions-StartExecution", "StepFunctions-StartSyncExecution",
    "StepFunctions-StopExecution",
)  # fmt: skip


def check(config: dict[str, Any]) -> None:
    """BadRequestException for a subtype or mapping API Gateway (or Lamina) would not take."""
    subtype = config["IntegrationSubtype"]
    if subtype in NOT_SERVED:
        raise bad_request(
            f"Lamina does not support IntegrationSubtype {subtype} yet (it serves "
            f"{', '.join(SUBTYPES)})."
        )
    action = SUBTYPES.get(subtype)
    if action is None:
        raise bad_request(f"Invalid IntegrationSubtype: {subtype}")
    if config.get("PayloadFormatVersion", "1.0") != "1.0":
        raise bad_request("AWS service integrations take PayloadFormatVersion 1.0.")
    mapping = config.get("RequestParameters") or {}
    missing = [name for name in action.required if name not in mapping]
    if missing:
        raise bad_request(
            f"Missing required parameter(s) {', '.join(missing)} for IntegrationSubtype "
            f"{subtype} in RequestParameters."
        )
    known = set(action.required) | set(action.optional)
    for name, value in mapping.items():
        if name not in known:
            raise bad_request(
                f"Parameter {name} is not supported for IntegrationSubtype {subtype}; it takes "
                f"{', '.join(sorted(known))}."
            )
        parameter_mapping.check_value(value)


def _typed(action: Action, name: str, text: str) -> Any:
    if name in action.numbers:
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"{name} must be a number, not {text!r}") from None
    if name in action.lists:
        if text.startswith("["):
            return json.loads(text)
        return [part.strip() for part in text.split(",") if part.strip()]
    if name in action.objects:
        found = json.loads(text)
        if not isinstance(found, dict):
            raise ValueError(f"{name} must be a JSON object")
        return found
    return text


def _answer(status: int, body: dict[str, Any]) -> HttpResponse:
    return HttpResponse(status, [("Content-Type", "application/json")], json.dumps(body).encode())


async def call(
    internal: InternalClient,
    integration: dict[str, Any],
    sources: parameter_mapping.Sources,
    account_id: str,
    region: str,
    request_id: str,
) -> HttpResponse:
    """The action's answer as AWS's HTTP API gives it: 200 and {"<Op>Response": {"<Op>Result":
    …, "ResponseMetadata": …}}; a service error with its status and {"Error": …}."""
    action = SUBTYPES[integration["IntegrationSubtype"]]
    params: dict[str, Any] = {}
    try:
        for name, value in integration["RequestParameters"].items():
            text = parameter_mapping.value_of(value, sources)
            if text != "":  # an expression with nothing behind it sets nothing
                params[name] = _typed(action, name, text)
    except ValueError as error:
        return _error(400, "InvalidParameterValue", str(error), request_id)
    missing = [name for name in action.required if name not in params]
    if missing:
        return _error(
            400, "MissingParameter",
            f"The request must contain the parameter {', '.join(missing)}.", request_id,
        )  # fmt: skip
    region = params.pop("Region", region)
    try:
        result = await internal.call_async(
            action.service, action.operation, params,
            identity=root_of(account_id), region=region, request_id=request_id,
        )  # fmt: skip
    except ServiceError as error:
        status = error.status or (400 if error.sender_fault else 500)
        return _error(status, error.code, error.message, request_id)
    return _answer(
        200,
        {
            f"{action.operation}Response": {
                f"{action.operation}Result": result or None,
                "ResponseMetadata": {"RequestId": request_id},
            }
        },
    )


def _error(status: int, code: str, message: str, request_id: str) -> HttpResponse:
    kind = "Sender" if status < 500 else "Receiver"
    error = {"Code": code, "Message": message, "Type": kind}
    return _answer(status, {"Error": error, "RequestId": request_id})
