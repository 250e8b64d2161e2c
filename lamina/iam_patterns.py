"""IAM's wildcard patterns: `*` (any run, `/` and `:` included) and `?` (one character), the
only two, everything else literal. Case-sensitive; `matches_action` is not, as IAM compares
action names regardless of case."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=4096)
def _pattern(glob: str, ignore_case: bool) -> re.Pattern[str]:
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob)
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def matches(glob: str, value: str) -> bool:
    return _pattern(glob, False).fullmatch(value) is not None


def matches_action(glob: str, action: str) -> bool:
    return _pattern(glob, True).fullmatch(action) is not None
