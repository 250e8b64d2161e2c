"""What the execution layer needs to know of one function version, taken from its stored
configuration at invoke time (the Lambda provider builds it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lamina.execution.logs import InvocationLog


@dataclass(frozen=True)
class FunctionSnapshot:
    account_id: str
    region: str
    name: str
    version: str  # '$LATEST' or a number
    arn: str  # the function's ARN (unqualified)
    runtime: str
    handler: str
    memory_mb: int
    timeout_s: int
    ephemeral_storage_mb: int
    code_digest: str
    revision_id: str  # a new revision retires the old environments
    environment: dict[str, str] = field(default_factory=dict)
    layers: tuple[str, ...] = ()  # the digests of its layers' zips, in the order they stack
    role: str = ""  # the execution role's ARN
    # The sandbox network it runs on: "vpc" when its VpcConfig names subnets, else ""
    # (lamina/execution/sandbox/networks.py).
    network: str = ""
    # The execution role's session (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
    # AWS_SESSION_TOKEN), set when an environment is made for the function, and when it
    # expires (seconds since the epoch; None: it does not).
    credentials: dict[str, str] | None = field(default=None, compare=False)
    credentials_expire_at: float | None = field(default=None, compare=False)
    # AWS_LAMBDA_INITIALIZATION_TYPE: 'provisioned-concurrency' for an environment started
    # ahead of need by a provisioned concurrency config.
    initialization_type: str = field(default="on-demand", compare=False)

    @property
    def key(self) -> tuple[str, str, str, str]:
        """Which pool an environment belongs to: one function version of one account."""
        return (self.account_id, self.region, self.name, self.version)


@dataclass(frozen=True)
class RoleCredentials:
    """What an environment's SDK signs with, and until when."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    expires_at: float | None = None

    def environment(self) -> dict[str, str]:
        return {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
            "AWS_SESSION_TOKEN": self.session_token,
        }


@dataclass(frozen=True)
class InvocationRequest:
    request_id: str
    payload: bytes
    invoked_arn: str
    trace_id: str
    client_context: dict | None = None
    identity: dict | None = None
    # A streaming invoke's sink (execution.streaming.StreamedResponse); None: a buffered
    # invoke, which gets a streamed answer whole, as its payload.
    stream: Any = field(default=None, compare=False)


@dataclass
class InvocationResult:
    payload: bytes
    function_error: str | None = None  # 'Unhandled' when the function failed
    # This invocation's log lines (START to REPORT); the tail is made only when asked for.
    log: list[tuple[int, str]] = field(default_factory=list)
    duration_ms: float = 0.0
    init_ms: float | None = None  # set on a cold start
    executed_version: str = "$LATEST"  # the version that ran (an alias routes to one)
    # None: the version has no provisioned concurrency; else whether a provisioned
    # environment served it (False: it spilled over onto an on-demand one).
    provisioned: bool | None = None
    # (provisioned environments in use, provisioned in all) as this invocation started.
    provisioned_in_use: tuple[int, int] | None = None
    # The runtime streamed its answer (its bytes went to the request's stream, if it had one);
    # with the content type it declared.
    streamed: bool = False
    content_type: str = ""

    @property
    def log_tail(self) -> str:
        """Base64 of the last 4 KB of the log, as X-Amz-Log-Result carries it."""
        return InvocationLog(self.log).tail()
