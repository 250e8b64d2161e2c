"""What a provider knows of the call it serves: who, where, which request."""

from __future__ import annotations

from dataclasses import dataclass, field

from lamina.identity import Identity, root_of


@dataclass(frozen=True)
class RequestContext:
    account_id: str
    region: str
    request_id: str
    service: str
    operation: str
    base_url: str  # how the caller reached Lamina, e.g. http://127.0.0.1:4566
    access_key: str | None = None
    # The caller (root, IAM user, assumed role, or an AWS service in-process); a context
    # built without one is the root of its account, as before identities existed.
    identity: Identity = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.identity is None:
            object.__setattr__(self, "identity", root_of(self.account_id, self.access_key))

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account_id}:{resource}"
