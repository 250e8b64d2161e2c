"""A streamed answer as a function URL's HTTP response (InvokeMode RESPONSE_STREAM). A function
that wrote `application/vnd.awslambda.http-integration-response` (Node's
awslambda.HttpResponseStream.from) begins with a JSON prelude {statusCode, headers, cookies}
and 8 NUL bytes; the rest is the body. Any other content type is the body's own, status 200.
The body goes to the client chunk by chunk, as the function writes it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from lamina.http_events import v2_response
from lamina.protocol.http import HttpResponse

HTTP_INTEGRATION = "application/vnd.awslambda.http-integration-response"
DELIMITER = b"\0" * 8
MAX_PRELUDE = 64 * 1024  # far more than status and headers need; past it, not a prelude


async def response(content_type: str, chunks: AsyncIterator[bytes]) -> HttpResponse:
    """The response to send: its status and headers now, its body as `chunks` come."""
    if content_type.split(";")[0].strip().lower() != HTTP_INTEGRATION:
        first = await anext(chunks, b"")
        return HttpResponse(200, [("Content-Type", content_type)], first, stream=chunks)
    head = b""
    async for chunk in chunks:
        head += chunk
        if DELIMITER in head or len(head) > MAX_PRELUDE:
            break
    prelude, found, rest = head.partition(DELIMITER)
    if not found:  # the stream ended, or ran on, without a whole prelude
        return v2_response.bad_gateway()
    try:
        metadata = json.loads(prelude) if prelude.strip() else {}
    except (ValueError, UnicodeDecodeError):
        return v2_response.bad_gateway()
    status, headers = _head(metadata if isinstance(metadata, dict) else {})
    if status is None:
        return v2_response.bad_gateway()
    return HttpResponse(status, headers, rest, stream=chunks)


def _head(metadata: dict[str, Any]) -> tuple[int | None, list[tuple[str, str]]]:
    try:
        status = int(metadata.get("statusCode", 200))
    except (TypeError, ValueError):
        return None, []
    if not 100 <= status <= 599:
        return None, []
    headers = [(str(k), _text(v)) for k, v in (metadata.get("headers") or {}).items()]
    headers += [("Set-Cookie", str(cookie)) for cookie in metadata.get("cookies") or []]
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("Content-Type", "application/octet-stream"))
    return status, headers


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
