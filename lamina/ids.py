"""Identifiers minted on hot paths: request ids, message ids, trace ids.

uuid4() and os.urandom() each make a getrandom() system call, and a system call releases the
GIL: under load the event loop then waits for another thread's turn to end before it may go on.
These ids must be unique, not secret, so they come from a per-process generator seeded from
the operating system's randomness once (Mersenne Twister: 2**19937 - 1 period), which costs
no system call. Anything an attacker must not guess (tokens, keys) keeps using `secrets`.
"""

from __future__ import annotations

import os
import random
import time

_random = random.Random(os.urandom(32))
_bits = _random.getrandbits

os.register_at_fork(after_in_child=lambda: _random.seed(os.urandom(32)))  # no twin sequences


def request_id() -> str:
    """A version-4 UUID in its canonical text form, as AWS's request ids are."""
    n = (_bits(128) & ~(0xF000 << 64) | (0x4000 << 64)) & ~(0xC000 << 48) | (0x8000 << 48)
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def hex_id(digits: int) -> str:
    """`digits` random hexadecimal digits."""
    return f"{_bits(digits * 4):0{digits}x}"


def trace_header() -> str:
    """A new X-Ray trace header, as Lambda sets _X_AMZN_TRACE_ID for each invocation."""
    return f"Root=1-{int(time.time()):08x}-{hex_id(24)};Parent={hex_id(16)};Sampled=0"


_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"


def alnum_id(length: int) -> str:
    """`length` random lowercase letters and digits: API Gateway's ids (10 for APIs, ...)."""
    return "".join(_random.choices(_ALNUM, k=length))


def random_bytes(count: int) -> bytes:
    return _random.randbytes(count)
