"""The edge's view of custom domains: which Hosts are custom domains (or their `d-…` target
hostnames), and which API and stage serve a path under each: the mapping with the longest key
that is a whole-segment prefix of the path, else the root mapping, as AWS routes them.

Read whole from the store, again after this node changes a domain or a mapping, and at most
once a second otherwise (changes made by other nodes of a fleet)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from urllib.parse import unquote

from lamina.services.custom_domains import rows
from lamina.store import Store

REFRESH_S = 1.0


@dataclass(frozen=True)
class Mapped:
    api_id: str
    stage: str | None  # None: a REST API's mapping that takes the stage from the path
    path: str  # what follows the key, percent-encoded as on the wire


@dataclass(frozen=True)
class DomainRoutes:
    name: str
    mappings: tuple[tuple[tuple[str, ...], rows.Mapping], ...]  # longest key first

    def route(self, path: str) -> Mapped | None:
        segments = path[1:].split("/") if path.startswith("/") else path.split("/")
        for key, mapping in self.mappings:
            if not key:
                return Mapped(mapping.api_id, mapping.stage, path or "/")
            if len(segments) >= len(key) and all(
                unquote(segments[i]) == part for i, part in enumerate(key)
            ):
                rest = "/".join(segments[len(key) :])
                return Mapped(mapping.api_id, mapping.stage, "/" + rest)
        return None


class CustomDomains:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.hosts: dict[str, DomainRoutes] = {}  # custom domain names and target hostnames
        self.loaded_at = float("-inf")
        self.generation = 0  # counts forget()s: a load that overlapped one is not fresh
        self._lock = threading.Lock()

    def forget(self) -> None:
        """A domain or mapping changed on this node: read them anew at the next request."""
        self.generation += 1
        self.loaded_at = float("-inf")

    def stale(self) -> bool:
        return time.monotonic() - self.loaded_at >= REFRESH_S

    def find(self, host: str) -> DomainRoutes | None:
        """The domain a Host (lowercased, without port) names; reads the store when stale
        (called off the event loop where reads wait)."""
        if self.stale():
            self.load()
        return self.hosts.get(host)

    def load(self) -> None:
        with self._lock:
            if not self.stale():
                return
            started, generation = time.monotonic(), self.generation
            with self.store.read() as conn:
                domains, by_host = rows.everything(conn)
            hosts: dict[str, DomainRoutes] = {}
            for domain in domains:
                mappings = sorted(by_host.get(domain.host, []), key=_longest_first)
                routes = DomainRoutes(
                    domain.name,
                    tuple((tuple(m.key.split("/")) if m.key else (), m) for m in mappings),
                )
                hosts[domain.host] = routes
                hosts[f"{domain.target_id}.execute-api.localhost"] = routes
            self.hosts = hosts
            if generation == self.generation:
                self.loaded_at = started


def _longest_first(mapping: rows.Mapping) -> int:
    return -len(mapping.key.split("/")) if mapping.key else 1
