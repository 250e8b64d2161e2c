"""CloudWatch's errors, by the shape names of its model; the wire code comes from each shape
(e.g. InvalidParameterValueException is 'InvalidParameterValue' on the wire)."""

from __future__ import annotations

from lamina.protocol.errors import ServiceError


def invalid_value(message: str) -> ServiceError:
    return ServiceError("InvalidParameterValueException", message)


def combination(message: str) -> ServiceError:
    return ServiceError("InvalidParameterCombinationException", message)


def missing(message: str) -> ServiceError:
    return ServiceError("MissingRequiredParameterException", message)


def validation(message: str) -> ServiceError:
    """GetMetricData answers its input errors as 'ValidationError', as AWS does."""
    return ServiceError("ValidationException", message)


def invalid_next_token() -> ServiceError:
    return ServiceError("InvalidNextToken", "The specified NextToken is not valid.")


# Why no percentile can be answered, said after what was asked for.
AGGREGATES_ONLY = (
    "It stores SampleCount, Sum, Minimum and Maximum per minute, from which no percentile can be "
    "computed: ask for SampleCount, Average, Sum, Minimum or Maximum."
)


def not_supported(what: str) -> str:
    """The text for a valid AWS request Lamina cannot serve: said plainly, never faked."""
    return f"Lamina does not support {what}."
