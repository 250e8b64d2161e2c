"""Settings: command-line flags over environment variables over embedded defaults."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "000000000000"


def _flag(name: str) -> bool | None:
    value = os.environ.get(name)
    if value is None or value == "":
        return None
    return value.strip().lower() in ("1", "true", "yes", "on")


def _delays(name: str, default: tuple[float, ...]) -> tuple[float, ...]:
    """A list of waits in the environment variable `name`: seconds, comma-separated, "1,2"."""
    value = os.environ.get(name)
    if not value:
        return default
    delays = tuple(float(part) for part in value.split(",") if part.strip())
    if not delays or any(delay < 0 for delay in delays):
        raise ValueError(f"{name}: expected seconds like 1,2; got {value!r}")
    return delays


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 4566
    data_dir: Path = Path(".lamina")
    database_url: str | None = None  # None: SQLite in data_dir
    allow_reset: bool | None = None  # None: on for the embedded store, off for PostgreSQL
    verify_signatures: bool = False  # SigV4 checking; the layer exists, off by default
    # Larger than any single AWS request Lamina serves today (a 50 MB zip, base64, in JSON).
    max_body_bytes: int = 128 * 1024 * 1024
    log_level: str = "info"
    account_concurrency: int = 1000  # Lambda's default ConcurrentExecutions per account and region
    code_storage_bytes: int = 75 * 1024**3  # Lambda's default TotalCodeSize per account and region
    # API Gateway's account-level throttle per region, shared by every REST, HTTP and WebSocket
    # API of the account (AWS's defaults; raised on AWS through a quota request)
    apigateway_account_rate: float = 10000.0
    apigateway_account_burst: int = 5000
    sandbox: str | None = None  # 'bubblewrap' or 'process'; None: bubblewrap where it runs
    # LAMINA_FUNCTION_EGRESS: functions reach the outside network (as on Lambda outside a
    # VPC); off, they reach only Lamina's AWS endpoint. Never the node's own services.
    function_egress: bool = True
    idle_timeout_s: float = 300.0  # an idle execution environment is reaped after this
    # Waits before the retries of a failed asynchronous invocation (Lambda: 1 and 2 minutes).
    async_retry_delays: tuple[float, ...] = (60.0, 120.0)
    # Waits before sending an invocation record or dead-letter message again after a failed
    # send; once they are used up it is dropped (Lambda documents no schedule of its own).
    destination_retry_delays: tuple[float, ...] = (1.0, 2.0)
    node_id: str | None = None  # this node's name on its leases; None: host name and port
    # LAMINA_CREDENTIALS: "AKID:SECRET[:ACCOUNT],…", keys of an account's root (default
    # account 000000000000 unless ACCOUNT, 12 digits, names another).
    credentials: str = ""
    # LAMINA_OIDC_ISSUERS: issuers trusted by AssumeRoleWithWebIdentity (JSON, or its file).
    oidc_issuers: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        env = os.environ
        settings = cls(
            host=env.get("LAMINA_HOST", cls.host),
            port=int(env.get("LAMINA_PORT", cls.port)),
            data_dir=Path(env.get("LAMINA_DATA_DIR", str(cls.data_dir))),
            database_url=env.get("LAMINA_DATABASE_URL") or None,
            allow_reset=_flag("LAMINA_ALLOW_RESET"),
            verify_signatures=bool(_flag("LAMINA_VERIFY_SIGNATURES")),
            log_level=env.get("LAMINA_LOG_LEVEL", cls.log_level),
            max_body_bytes=int(env.get("LAMINA_MAX_BODY_BYTES", cls.max_body_bytes)),
            account_concurrency=int(env.get("LAMINA_ACCOUNT_CONCURRENCY", cls.account_concurrency)),
            code_storage_bytes=int(env.get("LAMINA_CODE_STORAGE_BYTES", cls.code_storage_bytes)),
            apigateway_account_rate=float(
                env.get("LAMINA_APIGATEWAY_ACCOUNT_RATE", cls.apigateway_account_rate)
            ),
            apigateway_account_burst=int(
                env.get("LAMINA_APIGATEWAY_ACCOUNT_BURST", cls.apigateway_account_burst)
            ),
            sandbox=env.get("LAMINA_SANDBOX") or None,
            function_egress=_flag("LAMINA_FUNCTION_EGRESS") is not False,
            idle_timeout_s=float(env.get("LAMINA_IDLE_TIMEOUT", cls.idle_timeout_s)),
            async_retry_delays=_delays("LAMINA_ASYNC_RETRY_DELAYS", cls.async_retry_delays),
            destination_retry_delays=_delays(
                "LAMINA_DESTINATION_RETRY_DELAYS", cls.destination_retry_delays
            ),
            node_id=env.get("LAMINA_NODE_ID") or None,
            credentials=env.get("LAMINA_CREDENTIALS", ""),
            oidc_issuers=env.get("LAMINA_OIDC_ISSUERS") or None,
        )
        settings = replace(settings, **{k: v for k, v in overrides.items() if v is not None})
        return settings.resolved()

    def resolved(self) -> Settings:
        """Every path made absolute, once, before anything uses it: sandboxes are handed paths
        that must not depend on the working directory (bubblewrap binds are resolved inside
        the sandbox, where a relative `.lamina/...` names nothing)."""
        return replace(self, data_dir=self.data_dir.expanduser().resolve())

    @property
    def store_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'lamina.db'}"

    @property
    def endpoint_url(self) -> str:
        """Where this node's port is reached from the host. Functions reach it there only when
        sandboxes share the host's network; in a namespace of their own, their AWS_ENDPOINT_URL
        names Lamina's listener in it (lamina/execution/sandbox/network.py)."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "", "::") else self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    @property
    def node_name(self) -> str:
        return self.node_id or f"{socket.gethostname()}:{self.port}"

    @property
    def reset_allowed(self) -> bool:
        if self.allow_reset is not None:
            return self.allow_reset
        return not self.store_url.startswith("postgresql")
