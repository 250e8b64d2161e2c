"""A request the edge recognised as a function URL's, as it hands it to Lambda's data plane."""

from __future__ import annotations

from dataclasses import dataclass

from lamina.identity import Credential
from lamina.protocol.http import HttpRequest


@dataclass
class UrlCall:
    http: HttpRequest
    url_id: str
    path: str  # the path the function sees: the request's, less /_lamina/url/<url-id>
    domain: str | None  # the Host it came to; None when it came by path
    source_ip: str
    request_id: str
    caller: Credential | None  # whose valid SigV4 signature (for lambda) it carries, if any
    raw_headers: list[tuple[str, str]]  # as received, a repeated header once per line
