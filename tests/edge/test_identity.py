"""The identity seam's pure logic: configured keys, the chain, the cache; and the retirement
of environments whose role credentials are about to expire."""

from __future__ import annotations

import time

import pytest

from lamina.execution.function import FunctionSnapshot
from lamina.execution.pool import _credentials_ending
from lamina.identity import (
    CachedCredentials,
    ConfiguredCredentials,
    CredentialChain,
    unknown_key,
)


def test_configured_keys_name_the_default_account_or_their_own():
    keys = ConfiguredCredentials("A:sa, B:sb:123456789012")
    assert keys.lookup("A").identity.arn == "arn:aws:iam::000000000000:root"  # type: ignore[union-attr]
    assert keys.lookup("B").identity.account_id == "123456789012"  # type: ignore[union-attr]
    assert keys.lookup("C") is None
    with pytest.raises(ValueError):
        ConfiguredCredentials("A:sa:not-an-account")


def test_an_unknown_key_keeps_the_first_rule():
    assert unknown_key("123456789012").arn == "arn:aws:iam::123456789012:root"
    assert unknown_key("test").account_id == "000000000000"
    assert unknown_key(None).user_id == "000000000000"


class Counting:
    def __init__(self, source):
        self.source, self.calls = source, 0

    def lookup(self, key):
        self.calls += 1
        return self.source.lookup(key)


def test_the_cache_answers_hits_and_misses_until_its_ttl():
    counting = Counting(CredentialChain([ConfiguredCredentials("A:sa")]))
    cache = CachedCredentials(counting, ttl_s=0.2)
    for _ in range(3):
        assert cache.lookup("A") is not None
        assert cache.lookup("nobody") is None
    assert counting.calls == 2  # one lookup each, then cached (found or not)
    time.sleep(0.25)
    cache.lookup("A")
    assert counting.calls == 3
    cache.forget()
    cache.lookup("A")
    assert counting.calls == 4


def snapshot(expires_at: float | None, timeout_s: int = 3) -> FunctionSnapshot:
    return FunctionSnapshot(
        "000000000000", "us-east-1", "f", "$LATEST", "arn", "python3.12", "h.h", 128,
        timeout_s, 512, "digest", "rev", credentials_expire_at=expires_at,
    )  # fmt: skip


def test_an_environment_retires_before_its_credentials_could_expire_mid_invoke():
    now = time.time()
    assert not _credentials_ending(snapshot(None))
    assert not _credentials_ending(snapshot(now + 3600))
    assert _credentials_ending(snapshot(now + 30))  # within the 60 s margin
    assert _credentials_ending(snapshot(now + 600, timeout_s=900))  # could outlast them
