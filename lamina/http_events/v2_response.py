"""Payload format 2.0's answer: what a function returns, as the HTTP response Lambda sends.

A JSON object with a `statusCode` is a response (headers, multiValueHeaders, cookies as
Set-Cookie, body, isBase64Encoded); any other JSON value is the body of a 200
`application/json` (a JSON string: its text). A function error answers 502."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from lamina.protocol.http import HttpResponse

JSON = "application/json"


def bad_gateway() -> HttpResponse:
    """A function that failed, or answered what Lambda cannot read as a response."""
    return HttpResponse(
        502, [("Content-Type", JSON)], json.dumps({"Message": "Internal Server Error"}).encode()
    )


Failure = Callable[[], HttpResponse]


def response(
    payload: bytes, function_error: str | None, failed: Failure = bad_gateway
) -> HttpResponse:
    """`failed`: the answer to a failure (function URLs' 502; an HTTP API's is its own 500)."""
    if function_error:
        return failed()
    try:
        value = json.loads(payload) if payload.strip() else None
    except (ValueError, UnicodeDecodeError):
        return failed()
    if not isinstance(value, dict) or "statusCode" not in value:
        body = value.encode() if isinstance(value, str) else payload
        return HttpResponse(200, [("Content-Type", JSON)], body)
    return structured(value, failed)


def structured(value: dict[str, Any], failed: Failure = bad_gateway) -> HttpResponse:
    """A {statusCode, headers, multiValueHeaders, cookies, body, isBase64Encoded} answer."""
    try:
        status = int(value["statusCode"])
    except (TypeError, ValueError):
        return failed()
    if not 100 <= status <= 599:
        return failed()
    headers: list[tuple[str, str]] = []
    for name, values in (value.get("multiValueHeaders") or {}).items():
        for item in values if isinstance(values, list) else [values]:
            headers.append((str(name), _text(item)))
    for name, item in (value.get("headers") or {}).items():
        headers = [(k, v) for k, v in headers if k.lower() != str(name).lower()]
        headers.append((str(name), _text(item)))
    for cookie in value.get("cookies") or []:
        headers.append(("Set-Cookie", str(cookie)))
    raw = value.get("body")
    body = b""
    if raw is not None:
        text = raw if isinstance(raw, str) else json.dumps(raw)
        if value.get("isBase64Encoded"):
            try:
                body = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                return failed()
        else:
            body = text.encode()
    if not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("Content-Type", JSON))
    return HttpResponse(status, headers, body)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
