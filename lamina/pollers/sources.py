"""Which adapter polls a mapping's source, by the service its ARN names."""

from __future__ import annotations

from lamina.pollers.source import Mapping, Source
from lamina.pollers.sqs import SqsQueue
from lamina.services.internal import InternalClient

SERVED = {"sqs": "Amazon SQS"}  # the sources Lamina polls; Lambda refuses mappings of others


def service_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[2] if len(parts) > 2 and parts[0] == "arn" else ""


def source_for(mapping: Mapping, internal: InternalClient) -> Source:
    if service_of(mapping.source_arn) == "sqs":
        return SqsQueue(mapping, internal)
    raise LookupError(f"Lamina polls no source {mapping.source_arn}")
