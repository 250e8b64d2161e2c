"""CORS as a function URL's (or an HTTP API's) Cors setting answers it: preflight OPTIONS
answered without the function, Access-Control-Allow-* added to the function's answers."""

from __future__ import annotations

from typing import Any

from lamina.protocol.http import Headers, HttpResponse


def _allowed_origin(cors: dict[str, Any], origin: str) -> str | None:
    origins = cors.get("AllowOrigins") or []
    if "*" in origins:
        return "*" if not cors.get("AllowCredentials") else origin
    return origin if origin in origins else None


def is_preflight(method: str, headers: Headers) -> bool:
    return (
        method == "OPTIONS" and "origin" in headers and "access-control-request-method" in headers
    )


def preflight(cors: dict[str, Any], headers: Headers) -> HttpResponse:
    """The answer to a preflight: the CORS headers when origin and method are allowed, none
    (so the browser refuses the request) when they are not."""
    answer = HttpResponse(200, [])
    origin = _allowed_origin(cors, headers["origin"])
    method = headers["access-control-request-method"].upper()
    methods = [m.upper() for m in cors.get("AllowMethods") or []]
    if origin is None or not ("*" in methods or method in methods):
        return answer
    answer.headers.append(("Access-Control-Allow-Origin", origin))
    answer.headers.append(("Access-Control-Allow-Methods", ",".join(methods)))
    allow_headers = cors.get("AllowHeaders") or []
    if allow_headers:
        answer.headers.append(("Access-Control-Allow-Headers", ",".join(allow_headers)))
    if cors.get("AllowCredentials"):
        answer.headers.append(("Access-Control-Allow-Credentials", "true"))
    if cors.get("MaxAge") is not None:
        answer.headers.append(("Access-Control-Max-Age", str(cors["MaxAge"])))
    if origin != "*":
        answer.headers.append(("Vary", "Origin"))
    return answer


def decorate(cors: dict[str, Any], headers: Headers, response: HttpResponse) -> None:
    """Add the CORS headers to an actual request's answer; the URL's setting wins over the
    function's own Access-Control-* headers, as on Lambda."""
    if "origin" not in headers:
        return
    origin = _allowed_origin(cors, headers["origin"])
    if origin is None:
        return
    response.headers = [
        (k, v) for k, v in response.headers if not k.lower().startswith("access-control-")
    ]
    response.headers.append(("Access-Control-Allow-Origin", origin))
    if cors.get("ExposeHeaders"):
        response.headers.append(("Access-Control-Expose-Headers", ",".join(cors["ExposeHeaders"])))
    if cors.get("AllowCredentials"):
        response.headers.append(("Access-Control-Allow-Credentials", "true"))
    if origin != "*":
        response.headers.append(("Vary", "Origin"))
