"""HTTP_PROXY integrations: the request, passed on to the integration's URL, and the answer
passed back as it is (https://docs.aws.amazon.com/apigateway/latest/developerguide/
http-api-develop-integrations-http.html). The URI's {variables} take the route's path
parameters (`{proxy}` a greedy `{proxy+}`'s); behind the `$default` route the whole request
path is appended to it. The call is made by Lamina itself, from a thread."""

from __future__ import annotations

import asyncio
import http.client
import re
import ssl
from urllib.parse import urlsplit

from lamina.protocol.http import HttpRequest, HttpResponse
from lamina.services.apigatewayv2 import route_keys

_VARIABLE = re.compile(r"\{([A-Za-z0-9._-]+)\}")
# Not passed on: what belongs to one connection, and what the client sets anew.
_HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer",
    "upgrade", "host", "content-length",
}  # fmt: skip


class ProxyTimeout(Exception):
    pass


class ProxyFailed(Exception):
    pass


def target_url(uri: str, route_key: str, path: str, params: dict[str, str], query: str) -> str:
    if route_key == route_keys.DEFAULT:
        url = uri.rstrip("/") + path
    else:
        url = _VARIABLE.sub(lambda found: params.get(found.group(1), found.group(0)), uri)
    return f"{url}?{query}" if query else url


def _call(
    method: str, url: str, headers: list[tuple[str, str]], body: bytes, timeout_s: float
) -> HttpResponse:
    parts = urlsplit(url)
    if parts.scheme == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            parts.hostname or "", parts.port, timeout=timeout_s,
            context=ssl.create_default_context(),
        )  # fmt: skip
    else:
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout_s)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    try:
        connection.putrequest(method, target, skip_accept_encoding=True)
        for name, value in headers:
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        answer = connection.getresponse()
        content = answer.read()
        kept = [(k, v) for k, v in answer.getheaders() if k.lower() not in _HOP_BY_HOP]
        return HttpResponse(answer.status, kept, content)
    except TimeoutError:
        raise ProxyTimeout(url) from None
    except (OSError, http.client.HTTPException) as error:
        raise ProxyFailed(f"{url}: {error}") from None
    finally:
        connection.close()


async def call(
    method: str, url: str, headers: list[tuple[str, str]], body: bytes, timeout_s: float
) -> HttpResponse:
    """One request to `url` as it is given (a WebSocket API's HTTP integrations'), from a
    thread; ProxyTimeout or ProxyFailed when there is no answer."""
    headers = [("Host", urlsplit(url).netloc), *headers]
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, _call, method, url, headers, body, timeout_s)


async def forward(
    request: HttpRequest,
    url: str,
    method: str,
    raw_headers: list[tuple[str, str]],
    source_ip: str,
    timeout_s: float,
) -> HttpResponse:
    """The integration's answer; ProxyTimeout or ProxyFailed when there is none."""
    headers = [(k, v) for k, v in raw_headers if k.lower() not in _HOP_BY_HOP]
    host = urlsplit(url).netloc
    headers = [("Host", host), *headers, ("X-Forwarded-For", source_ip)]
    loop = asyncio.get_running_loop()
    verb = request.method if method == "ANY" else method
    return await loop.run_in_executor(None, _call, verb, url, headers, request.body, timeout_s)
