"""The execution log TestInvokeMethod and TestInvokeAuthorizer answer with: lines in the spirit
of the ones API Gateway writes to CloudWatch Logs for a stage with execution logging ("Method
request path: …", "Endpoint request body after transformations: …", "Method completed with
status: 200"), in our own words. The log of the test invocation being run is `current`'s:
the data plane's integration code notes what it sends and receives there (note() is a no-op
for the stage's own requests, which have none)."""

from __future__ import annotations

import contextvars
import time
from collections.abc import Mapping
from typing import Any

current: contextvars.ContextVar[ExecutionLog | None] = contextvars.ContextVar(
    "apigateway_execution_log", default=None
)
_SHOWN = 4096  # of a body, as the log shows it (AWS truncates long bodies, too)


class ExecutionLog:
    def __init__(self, request_id: str) -> None:
        self.lines = [f"Execution log for request {request_id}"]

    def add(self, message: str) -> None:
        stamp = time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime())
        self.lines.append(f"{stamp} : {message}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def note(message: str) -> None:
    """Adds a line to the test invocation's log, when one is being run."""
    log = current.get()
    if log is not None:
        log.add(message)


def shown_map(values: Mapping[str, Any] | None) -> str:
    """A map as the log shows it: {name=value, …}."""
    return "{" + ", ".join(f"{k}={v}" for k, v in (values or {}).items()) + "}"


def shown_body(body: bytes | str | None) -> str:
    if body is None:
        return ""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    return text if len(text) <= _SHOWN else text[:_SHOWN] + " [TRUNCATED]"
