"""The settings of an SQS event source mapping, checked as Lambda checks them, with its words.
Parameters of the other kinds of source are refused: with AWS's own message where AWS refuses
them for SQS, and plainly as not supported where Lamina does not serve a feature yet."""

from __future__ import annotations

import json
from typing import Any

from lamina.patterns import PatternError
from lamina.pollers import filtering
from lamina.pollers.sources import SERVED, service_of
from lamina.protocol.errors import ServiceError
from lamina.services.lambda_.errors import invalid_parameter, not_supported

DEFAULT_BATCH_SIZE = 10
FIFO_BATCH_LIMIT = 10
# What a mapping keeps of a request, and its defaults.
KEPT = ("BatchSize", "MaximumBatchingWindowInSeconds", "FunctionResponseTypes")
# Parameters of stream and broker sources: refused for a queue, as Lambda refuses them.
STREAM_ONLY = (
    "ParallelizationFactor",
    "DestinationConfig",
    "MaximumRecordAgeInSeconds",
    "BisectBatchOnFunctionError",
    "MaximumRetryAttempts",
    "TumblingWindowInSeconds",
    "Topics",
    "Queues",
    "SourceAccessConfigurations",
    "SelfManagedEventSource",
    "AmazonManagedKafkaEventSourceConfig",
    "SelfManagedKafkaEventSourceConfig",
    "DocumentDBEventSourceConfig",
)
# Valid for SQS on AWS; not honoured by Lamina yet.
NOT_YET = {
    "KMSKeyArn": "encrypting filter criteria with a KMS key (KMSKeyArn)",
    "MetricsConfig": "event source mapping metrics (MetricsConfig)",
    "LoggingConfig": "event source mapping logging (LoggingConfig)",
    "ProvisionedPollerConfig": "provisioned mode for event pollers (ProvisionedPollerConfig)",
}
# Sources Lambda reads that Lamina does not poll yet, by the ARN's service.
OTHER_SOURCES = {
    "kinesis": "Amazon Kinesis",
    "dynamodb": "Amazon DynamoDB Streams",
    "kafka": "Amazon MSK",
    "mq": "Amazon MQ",
    "rds": "Amazon DocumentDB",
}


def check_source(params: dict[str, Any]) -> str:
    """The mapping's EventSourceArn, if it names a source Lamina polls."""
    if params.get("SelfManagedEventSource"):
        raise not_supported("event source mappings for self-managed Apache Kafka")
    arn = params.get("EventSourceArn")
    if not arn:
        raise invalid_parameter(
            "Unrecognized event source, must be kinesis, dynamodb stream or sqs."
        )
    service = service_of(arn)
    if service in OTHER_SOURCES:
        raise not_supported(f"event source mappings for {OTHER_SOURCES[service]}")
    if service not in SERVED or arn.count(":") != 5:
        raise invalid_parameter(f"Unrecognized event source: {arn}")
    return str(arn)


def refuse_others(params: dict[str, Any]) -> None:
    if params.get("StartingPosition") or params.get("StartingPositionTimestamp") is not None:
        raise invalid_parameter("StartingPosition is not valid for SQS event sources.")
    for name in STREAM_ONLY:
        if params.get(name) is not None:
            raise invalid_parameter(
                f"Unsupported {name} parameter for given event source mapping type."
            )
    for name, what in NOT_YET.items():
        if params.get(name) is not None:
            raise not_supported(what)


def settings_of(params: dict[str, Any], current: dict[str, Any] | None = None) -> dict[str, Any]:
    """The mapping's settings: `current` (an update's starting point, else the defaults) with
    what the request sets."""
    settings: dict[str, Any] = dict(
        current or {"BatchSize": DEFAULT_BATCH_SIZE, "MaximumBatchingWindowInSeconds": 0}
    )
    settings.setdefault("FunctionResponseTypes", [])
    for name in KEPT:
        if params.get(name) is not None:
            settings[name] = params[name]
    if params.get("FilterCriteria") is not None:
        filters = params["FilterCriteria"].get("Filters") or []
        if filters:
            settings["FilterCriteria"] = {"Filters": [dict(f) for f in filters]}
        else:
            settings.pop("FilterCriteria", None)  # an empty FilterCriteria clears it
    if params.get("ScalingConfig") is not None:
        if params["ScalingConfig"].get("MaximumConcurrency") is not None:
            settings["ScalingConfig"] = dict(params["ScalingConfig"])
        else:
            settings.pop("ScalingConfig", None)
    return settings


def check_settings(settings: dict[str, Any], fifo: bool) -> None:
    """AWS's rules, in the order AWS applies them (a FIFO mapping with BatchSize 100 and a window
    is refused for its window)."""
    batch_size = settings["BatchSize"]
    window = settings["MaximumBatchingWindowInSeconds"]
    if fifo and window > 0:
        raise invalid_parameter("Batching window is not supported for FIFO queues")
    if fifo and batch_size > FIFO_BATCH_LIMIT:
        # SQS's limit before batching windows, and still FIFO queues': its message then.
        raise invalid_parameter("Maximum batch size must be between 1 and 10 inclusive")
    if batch_size > 10 and window == 0:
        raise invalid_parameter(
            "Maximum batch window in seconds must be greater than 0 if maximum batch size is "
            "greater than 10"
        )
    check_filters(settings.get("FilterCriteria", {}).get("Filters", []))


def check_filters(filters: list[dict[str, Any]]) -> None:
    """Each pattern must be a JSON object the matcher takes."""
    patterns: list[str] = []
    for entry in filters:
        text = entry.get("Pattern")
        try:
            pattern = json.loads(text) if text else None
        except ValueError:
            pattern = None
        if not isinstance(pattern, dict):
            raise invalid_parameter("Invalid filter pattern definition.")
        patterns.append(str(text))
    try:
        filtering.compile_filters(patterns)
    except PatternError:
        raise invalid_parameter("Invalid filter pattern definition.") from None


def patterns_of(settings: dict[str, Any]) -> tuple[str, ...]:
    return tuple(f["Pattern"] for f in settings.get("FilterCriteria", {}).get("Filters", []))


def queue_missing(error: ServiceError) -> ServiceError:
    """How Lambda answers a mapping to a queue SQS does not know."""
    return invalid_parameter(
        "Error occurred while ReceiveMessage. SQS Error Code: "
        "AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: "
        f"{error.message or 'The specified queue does not exist.'}"
    )


def timeout_too_long(visibility_s: int, function_timeout_s: int) -> ServiceError:
    return invalid_parameter(
        f"Queue visibility timeout: {visibility_s} seconds is less than Function timeout: "
        f"{function_timeout_s} seconds"
    )
