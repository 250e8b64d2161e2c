"""What a request's access log line says of it, noted as the data plane goes (the request,
its authorizer, its integration, the answer) and read once it is answered. The trace of the
request being served is `current`'s: the integration code deep in a plane notes its latency
and status there without every call on the way passing it along."""

from __future__ import annotations

import contextvars
import json
import time
from typing import Any

from lamina.protocol.http import HttpResponse

current: contextvars.ContextVar[Trace | None] = contextvars.ContextVar(
    "access_log_trace", default=None
)


def clf_time(epoch_s: float) -> str:
    """$context.requestTime: dd/MMM/yyyy:HH:mm:ss +-hhmm (CLF), in UTC."""
    return time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(epoch_s))


class Trace:
    def __init__(self) -> None:
        self.started = time.time()
        self._clock = time.perf_counter()
        self._integration_clock: float | None = None
        self.values: dict[str, Any] = {
            "requestTime": clf_time(self.started),
            "requestTimeEpoch": int(self.started * 1000),
        }

    def integration_begins(self) -> None:
        self._integration_clock = time.perf_counter()

    def integration_ends(self, status: int | None, integration_status: int | None = None) -> None:
        """The integration answered (`status`: its status code, for a Lambda proxy the one the
        function gave; `integration_status`: Lambda's own, for Lambda integrations)."""
        if self._integration_clock is not None:
            latency = round((time.perf_counter() - self._integration_clock) * 1000)
            self.values["integrationLatency"] = latency
            self.values["integration.latency"] = latency
        if status is not None:
            self.values["integration.status"] = status
        if integration_status is not None:
            self.values["integrationStatus"] = integration_status
            self.values["integration.integrationStatus"] = integration_status

    def integration_failed(self, message: str) -> None:
        self.values["integrationErrorMessage"] = message
        self.values["integration.error"] = message

    def error(self, message: str | None, response_type: str | None) -> None:
        """A gateway response: its $context.error.* (message, messageString, responseType)."""
        if message is not None:
            self.values["error.message"] = message
            self.values["error.messageString"] = json.dumps(message)
        if response_type is not None:
            self.values["error.responseType"] = response_type

    def authorized(self, principal_id: str | None, context: dict[str, Any] | None) -> None:
        """A Lambda authorizer's (or JWT's) outcome: $context.authorizer.*."""
        for key, value in (context or {}).items():
            self.values[f"authorizer.{key}"] = value
        if principal_id:
            self.values["authorizer.principalId"] = principal_id

    def answered(self, answer: HttpResponse) -> None:
        length = answer.header("content-length")
        self.values["responseLength"] = int(length) if length else len(answer.body)
        self.ended(answer.status)

    def ended(self, status: int) -> None:
        self.values["status"] = status
        self.values["responseLatency"] = round((time.perf_counter() - self._clock) * 1000)
