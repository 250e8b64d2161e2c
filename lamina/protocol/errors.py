"""Errors a provider or the protocol layer raises; the serializer gives them AWS's wire form."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """An AWS error: a code, a message, an HTTP status, and any extra members of the error shape.

    `status` None means: take it from the error shape in the service model (`error.httpStatusCode`),
    else 400 for a sender fault and 500 for a receiver fault.
    """

    def __init__(
        self,
        code: str,
        message: str,
        status: int | None = None,
        *,
        sender_fault: bool = True,
        **fields: Any,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.sender_fault = sender_fault
        self.fields = fields  # extra members of the error shape, e.g. Lambda's Type or Reason

    def __repr__(self) -> str:
        return f"ServiceError({self.code!r}, {self.message!r}, {self.status!r})"


class InternalFailure(ServiceError):
    """An unexpected fault inside Lamina: AWS answers such a thing with a 500 and no detail."""

    def __init__(self, message: str = "An internal error occurred.", code: str = "InternalFailure"):
        super().__init__(code, message, 500, sender_fault=False)


class UnknownOperation(ServiceError):
    def __init__(self, message: str, status: int = 400, code: str = "UnknownOperationException"):
        super().__init__(code, message, status)


class SerializationError(ServiceError):
    """The request body could not be read as the protocol says it must be."""

    def __init__(self, message: str, code: str = "SerializationException", status: int = 400):
        super().__init__(code, message, status)


class NotSupported(ServiceError):
    """An operation in AWS's model that Lamina does not implement yet: said, never faked."""

    def __init__(self, service: str, operation: str):
        super().__init__(
            "NotImplementedException",
            f"Lamina does not support the {service} operation {operation} yet.",
            501,
            sender_fault=False,
        )
