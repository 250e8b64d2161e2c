"""SQS's errors, in AWS's words. The query codes (AWS.SimpleQueueService.NonExistentQueue …)
come from the model's overlay; over json they travel in the x-amzn-query-error header."""

from __future__ import annotations

from lamina.protocol.errors import ServiceError


def queue_does_not_exist() -> ServiceError:
    return ServiceError("QueueDoesNotExist", "The specified queue does not exist.")


def invalid_parameter(message: str) -> ServiceError:
    return ServiceError("InvalidParameterValue", message, 400)


def missing_parameter(name: str) -> ServiceError:
    return ServiceError("MissingParameter", f"The request must contain the parameter {name}.", 400)


def invalid_attribute_name(message: str) -> ServiceError:
    return ServiceError("InvalidAttributeName", message, 400)


def invalid_attribute_value(name: str, reason: str = "") -> ServiceError:
    text = f"Invalid value for the parameter {name}."
    return ServiceError("InvalidAttributeValue", f"{text} Reason: {reason}" if reason else text)


def not_supported(what: str) -> ServiceError:
    """What AWS does and Lamina cannot honour yet: refused, never silently ignored."""
    return ServiceError("UnsupportedOperation", f"Lamina does not support {what} yet.", 400)


def unsupported(message: str) -> ServiceError:
    return ServiceError("UnsupportedOperation", message, 400)


def receipt_handle_invalid(handle: str) -> ServiceError:
    return ServiceError(
        "ReceiptHandleIsInvalid",
        f'The input receipt handle "{handle}" is not a valid receipt handle.',
        400,
    )


def receipt_handle_expired(handle: str) -> ServiceError:
    return invalid_parameter(
        f"Value {handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle "
        "has expired."
    )


def message_not_inflight() -> ServiceError:
    return ServiceError("MessageNotInflight", "The message referred to isn't in flight.")


def invalid_message_contents(message: str) -> ServiceError:
    return ServiceError("InvalidMessageContents", message, 400)
