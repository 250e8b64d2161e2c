"""HTTP (non-proxy) integrations: the rendered request template sent to the integration's URL
with only what requestParameters map (path variables, query parameters, headers; nothing of
the method request passes on by itself, as on AWS), the endpoint's status code what
selectionPattern is matched against, its headers what integration.response.header.NAME reads."""

from __future__ import annotations

from typing import Any

from lamina.services.apigateway import http_proxy
from lamina.services.apigateway.templates import DEFAULT_TYPE, Outcome, media_type
from lamina.services.apigateway.vtl import Request


def outgoing(
    integration: dict[str, Any], request: Request, payload: bytes
) -> tuple[str, str, list[tuple[str, str]]]:
    """(method, URL, headers); http_proxy.Unsupported for a source Lamina does not read yet.
    A body goes with the request's Content-Type (JSON without one) unless one is mapped."""
    method, url, headers = http_proxy.outgoing(
        integration, request.http, request.route, [], pass_query=False
    )
    if payload and not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("Content-Type", request.http.headers.get("content-type", DEFAULT_TYPE)))
    return method, url, headers


async def call(
    integration: dict[str, Any], request: Request, payload: bytes,
    client: http_proxy.Presenting | None = None,
) -> Outcome:  # fmt: skip
    """The endpoint's answer; http_proxy.TimedOut past timeoutInMillis, urllib3's errors when
    unreachable. `client`: the stage's client certificate, for an https:// endpoint."""
    method, url, headers = outgoing(integration, request, payload)
    timeout = integration.get("timeoutInMillis", 29000) / 1000
    answer = await http_proxy.call(
        method, url, headers, payload, timeout, http_proxy.verifies(integration), client
    )
    kept = {name.lower(): value for name, value in answer.headers}
    content_type = media_type(kept.get("content-type")) or DEFAULT_TYPE
    return Outcome(str(answer.status), answer.body, kept, content_type)
