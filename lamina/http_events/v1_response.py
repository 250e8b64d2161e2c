"""Payload format 1.0's answer: what a REST API's Lambda proxy integration reads out of a
function's answer. It must be a JSON object: statusCode (an integer), headers (name → value),
multiValueHeaders (name → values), body (a string, or null), isBase64Encoded. Anything else
is a malformed proxy response: API Gateway answers 502 {"message": "Internal server error"}.
A base64-encoded body is decoded when the caller's `decodes` says so of the answer's
Content-Type (a REST API decodes it only for binary media types), else sent as it is."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from lamina.protocol.http import HttpResponse

JSON = "application/json"


class Malformed(ValueError):
    """The function answered what API Gateway cannot read as a proxy response."""


def response(payload: bytes, decodes: Callable[[str], bool] | None = None) -> HttpResponse:
    """The HTTP answer, or Malformed."""
    try:
        value = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        raise Malformed("not JSON") from None
    if not isinstance(value, dict):
        raise Malformed("not an object")
    status = value.get("statusCode")
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise Malformed("statusCode")
    headers: list[tuple[str, str]] = []
    single = value.get("headers")
    multi = value.get("multiValueHeaders")
    single = {} if single is None else single
    multi = {} if multi is None else multi
    if not isinstance(single, dict) or not isinstance(multi, dict):
        raise Malformed("headers")
    for name, items in multi.items():
        if not isinstance(items, list):
            raise Malformed("multiValueHeaders")
        headers.extend((str(name), _text(item)) for item in items)
    # Both maps are merged; a header in both takes multiValueHeaders' values (AWS's rule).
    for name, item in single.items():
        if not any(k.lower() == str(name).lower() for k, _ in headers):
            headers.append((str(name), _text(item)))
    raw = value.get("body")
    if raw is not None and not isinstance(raw, str):
        raise Malformed("body")
    content_type = next((v for k, v in headers if k.lower() == "content-type"), JSON)
    body = b""
    if raw:
        if value.get("isBase64Encoded") and (decodes is None or decodes(content_type)):
            try:
                body = base64.b64decode(raw, validate=True)
            except (binascii.Error, ValueError):
                raise Malformed("body is not base64") from None
        else:
            body = raw.encode()
    if not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("Content-Type", JSON))
    return HttpResponse(status, headers, body)


def _text(value: Any) -> str:
    if isinstance(value, dict | list):
        raise Malformed("a header value")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
