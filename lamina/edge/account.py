"""Layer: who is calling (access key → account) and where (region), from the SigV4 credential."""

from __future__ import annotations

import re

from lamina.config import DEFAULT_ACCOUNT, DEFAULT_REGION
from lamina.edge.request import EdgeRequest, edge_request
from lamina.types import ASGIApp, Receive, Scope, Send

# Credential=AKID/20240101/us-east-1/lambda/aws4_request
_CREDENTIAL = re.compile(r"Credential=([^/\s,]+)/(\d{8})/([^/\s,]+)/([^/\s,]+)/aws4_request")
_QUERY_CREDENTIAL = re.compile(r"(?:^|&)X-Amz-Credential=([^&]+)")


def read_credential(request: EdgeRequest) -> tuple[str, str, str] | None:
    """(access key, region, service) from the Authorization header or a presigned URL."""
    authorization = request.http.headers.get("authorization", "")
    match = _CREDENTIAL.search(authorization)
    if match:
        return match.group(1), match.group(3), match.group(4)
    query_match = _QUERY_CREDENTIAL.search(request.http.query)
    if query_match:
        from urllib.parse import unquote

        parts = unquote(query_match.group(1)).split("/")
        if len(parts) == 5:
            return parts[0], parts[2], parts[3]
    return None


def account_for(access_key: str | None) -> str:
    """A 12-digit access key is its own account, so tests can isolate accounts by key."""
    if access_key and len(access_key) == 12 and access_key.isdigit():
        return access_key
    return DEFAULT_ACCOUNT


class AccountRegionLayer:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = edge_request(scope)
            credential = read_credential(request)
            if credential:
                request.access_key, request.region, request.signing_service = credential
            request.region = request.region or DEFAULT_REGION
            request.account_id = account_for(request.access_key)
        await self.app(scope, receive, send)
