"""HTTP_PROXY integrations: the request passed through to the integration's URI (method, query
string, headers, body), and the endpoint's answer passed back (status, headers, body).

The URI may name stage variables (`${stageVariables.host}`) and path variables (`{proxy}`)
that the integration's requestParameters map (`integration.request.path.proxy` from
`method.request.path.proxy`); requestParameters may also add query parameters and headers.
Their sources: method.request.path/querystring/header.NAME, stageVariables.NAME, 'static'."""

from __future__ import annotations

import asyncio
import re
from typing import Any
from urllib.parse import quote, urlencode

import urllib3

from lamina.http_events.v1 import Route
from lamina.protocol.http import HttpRequest, HttpResponse

_POOL = urllib3.PoolManager(num_pools=32, maxsize=16, retries=False)
# tlsConfig insecureSkipVerification: the endpoint's certificate is not checked against a CA
# (AWS still checks its name and dates; this pool checks nothing)
_INSECURE_POOL = urllib3.PoolManager(
    num_pools=8, maxsize=16, retries=False, cert_reqs="CERT_NONE", assert_hostname=False
)
# Hop-by-hop headers, and those the server recomputes: not passed on either way.
_HOP = frozenset((
    "host", "connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
    "proxy-authorization", "proxy-connection", "content-length",
))  # fmt: skip
_STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")
_PATH_VARIABLE = re.compile(r"\{([A-Za-z0-9._-]+)\+?\}")


class Unsupported(ValueError):
    """A mapping source Lamina does not evaluate yet."""


class TimedOut(Exception):
    pass


def source_value(source: str, request: HttpRequest, route: Route) -> str | None:
    if len(source) >= 2 and source[0] == source[-1] == "'":
        return source[1:-1]
    if source.startswith("method.request.path."):
        return route.path_parameters.get(source.removeprefix("method.request.path."))
    if source.startswith("method.request.querystring."):
        name = source.removeprefix("method.request.querystring.")
        values = [v for k, v in request.query_items() if k == name]
        return values[-1] if values else None
    if source.startswith("method.request.header."):
        return request.headers.get(source.removeprefix("method.request.header."))
    if source.startswith("stageVariables."):
        return route.stage_variables.get(source.removeprefix("stageVariables."))
    raise Unsupported(f"the request parameter source {source}")


def outgoing(
    integration: dict[str, Any],
    request: HttpRequest,
    route: Route,
    raw_headers: list,
    pass_query: bool = True,
) -> tuple[str, str, list[tuple[str, str]]]:
    """(method, URL, headers) of the request to the endpoint. An HTTP (non-proxy) integration
    passes on only what requestParameters map: no `raw_headers`, `pass_query` False."""
    paths: dict[str, str] = {}
    queries: list[tuple[str, str]] = []
    added: dict[str, str] = {}
    for target, source in (integration.get("requestParameters") or {}).items():
        value = source_value(source, request, route)
        if value is None:
            continue
        kind, _, name = target.removeprefix("integration.request.").partition(".")
        if kind == "path":
            paths[name] = value
        elif kind == "querystring":
            queries.append((name, value))
        elif kind == "header":
            added[name] = value
        else:
            raise Unsupported(f"the request parameter {target}")
    variables = route.stage_variables
    uri = _STAGE_VARIABLE.sub(lambda m: variables.get(m.group(1), ""), integration["uri"])
    uri = _PATH_VARIABLE.sub(lambda m: quote(paths.get(m.group(1), m.group(0)), safe="/"), uri)
    query = "&".join(q for q in (request.query if pass_query else "", urlencode(queries)) if q)
    if query:
        uri = f"{uri}{'&' if '?' in uri else '?'}{query}"
    headers = [(k, v) for k, v in raw_headers if k.lower() not in _HOP]
    headers = [(k, v) for k, v in headers if k.lower() not in {a.lower() for a in added}]
    headers += list(added.items())
    method = integration["httpMethod"]
    return (request.method if method == "ANY" else method), uri, headers


def verifies(integration: dict[str, Any]) -> bool:
    """Whether the endpoint's TLS certificate is checked (tlsConfig may say not)."""
    return not (integration.get("tlsConfig") or {}).get("insecureSkipVerification")


async def call(
    method: str, url: str, headers: list[tuple[str, str]], body: bytes, timeout_s: float,
    verify: bool = True,
) -> HttpResponse:  # fmt: skip
    """The endpoint's answer; TimedOut past `timeout_s`, urllib3's errors when unreachable."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, _call, method, url, headers, body, timeout_s, verify)


def _call(
    method: str, url: str, headers: list[tuple[str, str]], body: bytes, timeout_s: float,
    verify: bool,
) -> HttpResponse:  # fmt: skip
    sent = urllib3.HTTPHeaderDict()
    for name, value in headers:
        sent.add(name, value)
    try:
        pool = _POOL if verify else _INSECURE_POOL
        answer = pool.request(
            method, url, body=body or None, headers=sent, redirect=False,
            timeout=urllib3.Timeout(total=timeout_s), preload_content=True,
        )  # fmt: skip
    except urllib3.exceptions.NewConnectionError:
        raise  # refused or unresolvable (a ConnectTimeoutError only by urllib3's lineage)
    except urllib3.exceptions.TimeoutError as error:
        raise TimedOut() from error
    back = [(k, v) for k, v in answer.headers.iteritems() if k.lower() not in _HOP]
    return HttpResponse(answer.status, back, answer.data)
