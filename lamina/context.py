"""What a provider knows of the call it serves: who, where, which request."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    account_id: str
    region: str
    request_id: str
    service: str
    operation: str
    base_url: str  # how the caller reached Lamina, e.g. http://127.0.0.1:4566
    access_key: str | None = None

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account_id}:{resource}"
