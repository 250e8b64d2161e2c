"""Wildcard patterns: `*` matches any run of characters (none included); `\\*` is a literal star
and `\\\\` a literal backslash. AWS refuses two `*` in a row, any other escape, and patterns it
judges too complex."""

from __future__ import annotations

import re

from lamina.patterns.errors import PatternError

# AWS rejects rules "too complex" by a measure of its matching machine that it does not publish;
# the one recorded answer (six `*` in one pattern refused, one accepted) is what this bound
# reproduces. An approximation, named as such.
MAX_WILDCARDS = 5

TOO_COMPLEX = (
    "Rule is too complex - try using fewer wildcard characters or fewer repeating character "
    "sequences after a wildcard character"
)


def compile_wildcard(text: str) -> re.Pattern[str]:
    parts: list[str] = []
    literal: list[str] = []
    stars = 0
    previous_star = False
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            following = text[i + 1] if i + 1 < len(text) else ""
            if following not in ("*", "\\"):
                raise PatternError(f"Invalid escape character at pos {i + 1}")
            literal.append(following)
            previous_star = False
            i += 2
            continue
        if char == "*":
            if previous_star:
                raise PatternError(f"Consecutive wildcard characters at pos {i}")
            parts.append(re.escape("".join(literal)))
            literal = []
            parts.append(".*")
            stars += 1
            previous_star = True
        else:
            literal.append(char)
            previous_star = False
        i += 1
    parts.append(re.escape("".join(literal)))
    if stars > MAX_WILDCARDS:
        raise PatternError(TOO_COMPLEX)
    return re.compile("".join(parts), re.DOTALL)
