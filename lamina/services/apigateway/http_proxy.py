"""HTTP_PROXY integrations: the request passed through to the integration's URI (method, query
string, headers, body), and the endpoint's answer passed back (status, headers, body).

The URI may name stage variables (`${stageVariables.host}`) and path variables (`{proxy}`)
that the integration's requestParameters map (`integration.request.path.proxy` from
`method.request.path.proxy`); requestParameters may also add query parameters and headers.
Their sources: method.request.path/querystring/header.NAME, stageVariables.NAME, 'static'.

A stage with a client certificate (client_certificates.py) presents it to https:// endpoints:
ClientPools keeps a urllib3 pool per certificate (and per tlsConfig), its certificate and key
written once to a file only the node's user may read."""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import hashlib
import os
import re
import threading
from pathlib import Path
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


_CLIENT_POOLS = 32  # certificates (each checking or not) a node keeps connections for


@dataclasses.dataclass(frozen=True)
class ClientCertificate:
    """A stage's client certificate, as its integrations present it."""

    certificate_id: str
    pem: str
    key: str

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.pem.encode()).hexdigest()[:32]


class ClientPools:
    """urllib3 pools that present a client certificate, at most _CLIENT_POOLS of them (the
    least recently used goes first); the certificate and its key are written once, mode
    0600, under `directory` (ssl wants them in a file)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.pools: collections.OrderedDict[tuple[str, str, bool], urllib3.PoolManager] = (
            collections.OrderedDict()
        )
        self.lock = threading.Lock()  # pools are picked on the executor's threads

    def pool(self, certificate: ClientCertificate, verify: bool) -> urllib3.PoolManager:
        key = (certificate.certificate_id, certificate.fingerprint, verify)
        with self.lock:
            found = self.pools.get(key)
            if found is not None:
                self.pools.move_to_end(key)
                return found
            path = self._written(certificate)
            checks: dict[str, Any] = {} if verify else {
                "cert_reqs": "CERT_NONE", "assert_hostname": False
            }  # fmt: skip
            made = urllib3.PoolManager(
                num_pools=8, maxsize=16, retries=False, cert_file=str(path), **checks
            )
            self.pools[key] = made
            while len(self.pools) > _CLIENT_POOLS:
                _, gone = self.pools.popitem(last=False)
                gone.clear()
            return made

    def forget(self, certificate_id: str) -> None:
        """A deleted certificate: its pools and its file go."""
        with self.lock:
            for key in [k for k in self.pools if k[0] == certificate_id]:
                self.pools.pop(key).clear()
            for path in self.directory.glob(f"{certificate_id}-*.pem"):
                path.unlink(missing_ok=True)

    def _written(self, certificate: ClientCertificate) -> Path:
        path = self.directory / f"{certificate.certificate_id}-{certificate.fingerprint}.pem"
        if path.exists():
            return path
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(certificate.key + certificate.pem)
        os.replace(partial, path)
        return path


@dataclasses.dataclass(frozen=True)
class Presenting:
    """A client certificate to present, and the pools that present it."""

    pools: ClientPools
    certificate: ClientCertificate


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
    verify: bool = True, client: Presenting | None = None,
) -> HttpResponse:  # fmt: skip
    """The endpoint's answer; TimedOut past `timeout_s`, urllib3's errors when unreachable.
    With `client`, an https:// endpoint is shown its certificate in the TLS handshake."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(
        None, _call, method, url, headers, body, timeout_s, verify, client
    )


def _call(
    method: str, url: str, headers: list[tuple[str, str]], body: bytes, timeout_s: float,
    verify: bool, client: Presenting | None,
) -> HttpResponse:  # fmt: skip
    sent = urllib3.HTTPHeaderDict()
    for name, value in headers:
        sent.add(name, value)
    try:
        if client is not None and url[:8].lower() == "https://":
            pool = client.pools.pool(client.certificate, verify)
        else:
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
