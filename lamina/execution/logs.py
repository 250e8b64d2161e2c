"""What Lambda writes around a function's own output: stream names and the START, END and
REPORT lines, in AWS's words and layout (tab-separated fields)."""

from __future__ import annotations

import base64
import math
import time
import uuid
from dataclasses import dataclass, field

LOG_TAIL_BYTES = 4096  # LogType Tail: the last 4 KB of the invocation's log


def log_group(function_name: str) -> str:
    return f"/aws/lambda/{function_name}"


def log_stream(version: str) -> str:
    """One per execution environment: 'YYYY/MM/DD/[$LATEST]<32 hex>'."""
    return f"{time.strftime('%Y/%m/%d', time.gmtime())}/[{version}]{uuid.uuid4().hex}"


def start_line(request_id: str, version: str) -> str:
    return f"START RequestId: {request_id} Version: {version}"


def end_line(request_id: str) -> str:
    return f"END RequestId: {request_id}"


def report_line(
    request_id: str,
    duration_ms: float,
    memory_mb: int,
    max_memory_mb: int,
    init_ms: float | None = None,
) -> str:
    fields = [
        f"REPORT RequestId: {request_id}",
        f"Duration: {duration_ms:.2f} ms",
        # Billed from the duration as printed: 311.004 shows as 311.00 and bills 311, not 312.
        f"Billed Duration: {max(1, math.ceil(round(duration_ms, 2)))} ms",
        f"Memory Size: {memory_mb} MB",
        f"Max Memory Used: {max_memory_mb} MB",
    ]
    if init_ms is not None:
        fields.append(f"Init Duration: {init_ms:.2f} ms")
    return "\t".join(fields) + "\t"


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class InvocationLog:
    """The lines of one invocation, with their times, in the order they were written."""

    events: list[tuple[int, str]] = field(default_factory=list)

    def add(self, line: str, at_ms: int | None = None) -> None:
        self.events.append((at_ms if at_ms is not None else now_ms(), line))

    def tail(self) -> str:
        """Base64 of the last 4 KB, as X-Amz-Log-Result carries it."""
        text = "".join(line + "\n" for _, line in self.events).encode()
        return base64.b64encode(text[-LOG_TAIL_BYTES:]).decode()
