"""IAM policy statements as AWS evaluates them for one action on one resource: an explicit Deny
wins over any Allow, and nothing matching allows nothing. Patterns take IAM's two wildcards
only, `*` (any run, `/` and `:` included) and `?` (one character), case-sensitive.

Shared by what evaluates policies today (API Gateway's Lambda authorizers' answers) and what
will when IAM is enforced; principals and conditions are the caller's to check first."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=4096)
def _pattern(glob: str) -> re.Pattern[str]:
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob)
    return re.compile("".join(parts), re.DOTALL)


def matches(glob: str, value: str) -> bool:
    return _pattern(glob).fullmatch(value) is not None


def listed(value: Any) -> list[str]:
    """A statement's `Action` or `Resource`: one string or a list of them."""
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def evaluate(statements: Iterable[dict[str, Any]], action: str, resource: str) -> bool | None:
    """True when a statement allows `action` on `resource` and none denies it, False for an
    explicit deny, None when no statement speaks of them."""
    allowed: bool | None = None
    for statement in statements:
        if not any(matches(a, action) for a in listed(statement.get("Action"))):
            continue
        if not any(matches(r, resource) for r in listed(statement.get("Resource"))):
            continue
        if statement.get("Effect") == "Deny":
            return False
        if statement.get("Effect") == "Allow":
            allowed = True
    return allowed
