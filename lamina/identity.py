"""Who is calling: one Identity per request, resolved from its access key by the edge.

The edge knows nothing of where credentials come from: it asks a `CredentialSource` (one
method, `lookup(access_key_id) -> Credential | None`), which the node composes from the keys
in LAMINA_CREDENTIALS, IAM users' access keys and STS sessions, behind a short cache
(`CachedCredentials`), since the edge asks on every request.

An access key that no source knows keeps Lamina's first rule (DESIGN decision 2): a 12-digit
key is an account of its own, any other the default account, and the caller is that
account's root. A later policy-enforcement layer only has to evaluate the Identity.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Iterable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Protocol

from lamina.config import DEFAULT_ACCOUNT

ROOT = "root"
IAM_USER = "iam-user"
ASSUMED_ROLE = "assumed-role"
FEDERATED = "federated"  # a federated user (GetFederationToken): not issued yet
SERVICE = "service"  # an AWS service acting in-process (Lambda assuming an execution role)


@dataclass(frozen=True)
class Identity:
    account_id: str
    arn: str
    user_id: str  # the account id (root), AIDA… (user), AROA…:SESSION (assumed role)
    kind: str  # ROOT, IAM_USER, ASSUMED_ROLE, FEDERATED or SERVICE
    access_key: str | None = None
    user_name: str | None = None  # an IAM user's name
    session_name: str | None = None  # RoleSessionName of an assumed role
    role_arn: str | None = None  # arn:aws:iam::ACCOUNT:role/PATH/NAME of an assumed role
    role_id: str | None = None  # AROA…
    expires_at: float | None = None  # seconds since the epoch, for session credentials
    session: bool = False  # temporary credentials (GetSessionToken or an assumed role)
    chained: bool = False  # a role assumed with another role's session credentials
    web_identity: str | None = None  # the issuer (provider) of AssumeRoleWithWebIdentity
    service_principal: str | None = None  # e.g. lambda.amazonaws.com (kind SERVICE)
    tags: tuple[tuple[str, str], ...] = ()  # session tags

    @property
    def root(self) -> bool:
        return self.kind == ROOT


def root_arn(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:root"


def root_of(account_id: str, access_key: str | None = None) -> Identity:
    return Identity(account_id, root_arn(account_id), account_id, ROOT, access_key)


def service_identity(principal: str, account_id: str) -> Identity:
    """An AWS service acting for an account in-process, e.g. Lambda fetching a function's
    execution-role credentials."""
    return Identity(account_id, principal, principal, SERVICE, service_principal=principal)


def account_for(access_key: str | None) -> str:
    """A 12-digit access key is its own account, so tests can isolate accounts by key."""
    if access_key and len(access_key) == 12 and access_key.isdigit():
        return access_key
    return DEFAULT_ACCOUNT


def unknown_key(access_key: str | None) -> Identity:
    """Today's rule for a key nobody issued: the root of its account."""
    return root_of(account_for(access_key), access_key)


@dataclass(frozen=True)
class Credential:
    """What Lamina holds for one access key: its secret, whom it names, and its limits."""

    access_key_id: str
    secret: str
    identity: Identity
    session_token: str | None = None  # set for STS session credentials
    expires_at: float | None = None
    active: bool = True  # an IAM user's key may be Inactive

    def expired(self, now: float | None = None) -> bool:
        return self.expires_at is not None and (now or time.time()) >= self.expires_at


class CredentialSource(Protocol):
    def lookup(self, access_key_id: str) -> Credential | None: ...


class ConfiguredCredentials:
    """LAMINA_CREDENTIALS="AKID:SECRET[:ACCOUNT],…": keys of the root of the default account,
    or of the 12-digit ACCOUNT when a third field names one."""

    def __init__(self, spec: str | None = None) -> None:
        spec = os.environ.get("LAMINA_CREDENTIALS", "") if spec is None else spec
        self.keys: dict[str, Credential] = {}
        for item in spec.split(","):
            parts = [part.strip() for part in item.split(":")]
            if len(parts) < 2 or not parts[0]:
                continue
            key, secret = parts[0], parts[1]
            account = parts[2] if len(parts) > 2 and parts[2] else DEFAULT_ACCOUNT
            if not (len(account) == 12 and account.isdigit()):
                raise ValueError(f"LAMINA_CREDENTIALS: {key}: the account must be 12 digits")
            self.keys[key] = Credential(key, secret, root_of(account, key))

    def lookup(self, access_key_id: str) -> Credential | None:
        return self.keys.get(access_key_id)


class CredentialChain:
    """The first source that knows a key answers for it."""

    def __init__(self, sources: Iterable[CredentialSource]) -> None:
        self.sources = list(sources)

    def lookup(self, access_key_id: str) -> Credential | None:
        for source in self.sources:
            found = source.lookup(access_key_id)
            if found is not None:
                return found
        return None


_MISS = object()


class CachedCredentials:
    """A source's answers (found or not) kept `ttl_s` seconds: a cached hit is one dict read.
    An IAM key made Inactive or deleted is refused at most `ttl_s` later (AWS, too, takes a
    few seconds to see such changes); expiry is checked on every use, not cached."""

    def __init__(self, source: CredentialSource, ttl_s: float = 1.0, size: int = 10_000) -> None:
        self.source = source
        self.ttl_s = ttl_s
        self.size = size
        self._entries: dict[str, tuple[float, Credential | None]] = {}
        self._lock = threading.Lock()

    def cached(self, access_key_id: str) -> Credential | object | None:
        """The cached answer, or `MISS` when it must be looked up."""
        entry = self._entries.get(access_key_id)
        if entry is None or entry[0] < time.monotonic():
            return _MISS
        return entry[1]

    def lookup(self, access_key_id: str) -> Credential | None:
        found = self.cached(access_key_id)
        if found is not _MISS:
            return found  # type: ignore[return-value]
        credential = self.source.lookup(access_key_id)
        with self._lock:
            if len(self._entries) >= self.size:
                self._entries.clear()
            self._entries[access_key_id] = (time.monotonic() + self.ttl_s, credential)
        return credential

    async def find(
        self, access_key_id: str, executor: Executor | None = None, inline: bool = True
    ) -> Credential | None:
        """lookup() for a caller on the event loop: a cached answer at once; else the source
        is asked here (`inline`: the store's reads do not wait) or on `executor`."""
        found = self.cached(access_key_id)
        if found is not _MISS:
            return found  # type: ignore[return-value]
        if inline or executor is None:
            return self.lookup(access_key_id)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(executor, self.lookup, access_key_id)

    def forget(self, access_key_id: str | None = None) -> None:
        with self._lock:
            if access_key_id is None:
                self._entries.clear()
            else:
                self._entries.pop(access_key_id, None)


MISS = _MISS
