"""Layer: which access key signed the request, and where (region, service), from the SigV4
credential scope. Who the key belongs to is the IdentityLayer's question, once the service
is known (its errors are spelled in the service's protocol)."""

from __future__ import annotations

import re
from urllib.parse import unquote

from lamina.config import DEFAULT_REGION
from lamina.edge.request import EdgeRequest, edge_request
from lamina.identity import account_for
from lamina.types import ASGIApp, Receive, Scope, Send

__all__ = ["AccountRegionLayer", "account_for", "read_credential"]

# Credential=AKID/20240101/us-east-1/lambda/aws4_request
_CREDENTIAL = re.compile(r"Credential=([^/\s,]+)/(\d{8})/([^/\s,]+)/([^/\s,]+)/aws4_request")
_QUERY_CREDENTIAL = re.compile(r"(?:^|&)X-Amz-Credential=([^&]+)")
# sts.eu-west-1.amazonaws.com, lambda.us-east-1.amazonaws.com (an unsigned request's region)
_REGIONAL_HOST = re.compile(r"^[a-z0-9-]+\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?::\d+)?$")


def read_credential(request: EdgeRequest) -> tuple[str, str, str] | None:
    """(access key, region, service) from the Authorization header or a presigned URL."""
    authorization = request.http.headers.get("authorization", "")
    match = _CREDENTIAL.search(authorization)
    if match:
        return match.group(1), match.group(3), match.group(4)
    query_match = _QUERY_CREDENTIAL.search(request.http.query)
    if query_match:
        parts = unquote(query_match.group(1)).split("/")
        if len(parts) == 5:
            return parts[0], parts[2], parts[3]
    return None


def host_region(request: EdgeRequest) -> str | None:
    """The region a regional endpoint's host names; None for global ones (sts.amazonaws.com,
    which is us-east-1) and for any other host."""
    match = _REGIONAL_HOST.match(request.http.headers.get("host", ""))
    return match.group(1) if match else None


class AccountRegionLayer:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = edge_request(scope)
            credential = read_credential(request)
            if credential:
                request.access_key, request.region, request.signing_service = credential
            else:
                request.region = host_region(request) or ""
            request.region = request.region or DEFAULT_REGION
            request.account_id = account_for(request.access_key)
        await self.app(scope, receive, send)
