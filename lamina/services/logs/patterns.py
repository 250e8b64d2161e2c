"""Filter patterns for unstructured log events, as CloudWatch Logs documents them.

Supported: plain terms (`ERROR Exception`: every term must occur), quoted phrases
(`"INTERNAL SERVER ERROR"`), terms to exclude (`ERROR -Exiting`), and alternatives
(`?ERROR ?WARN`: any of them). Matching is case-sensitive and by substring, as on AWS.
An empty pattern matches every event. JSON (`{ $.x = 1 }`), space-delimited (`[ip, ...]`) and
regular-expression (`%...%`) patterns are not evaluated: `parse` raises UnsupportedPattern.
"""

from __future__ import annotations

from dataclasses import dataclass


class UnsupportedPattern(ValueError):
    pass


@dataclass(frozen=True)
class FilterPattern:
    required: tuple[str, ...] = ()  # every one must occur
    excluded: tuple[str, ...] = ()  # none may occur
    alternatives: tuple[str, ...] = ()  # at least one must occur, when there are any

    def matches(self, message: str) -> bool:
        if any(term not in message for term in self.required):
            return False
        if any(term in message for term in self.excluded):
            return False
        return not self.alternatives or any(term in message for term in self.alternatives)


MATCH_ALL = FilterPattern()

# What opens a pattern kind Lamina does not evaluate yet: JSON, space-delimited, regex.
_UNSUPPORTED_OPENINGS = ("{", "[", "%")


def parse(pattern: str | None) -> FilterPattern:
    text = (pattern or "").strip()
    if not text:
        return MATCH_ALL
    if text.startswith(_UNSUPPORTED_OPENINGS):
        raise UnsupportedPattern(text)
    required: list[str] = []
    excluded: list[str] = []
    alternatives: list[str] = []
    for prefix, term in _tokens(text):
        {"": required, "-": excluded, "?": alternatives}[prefix].append(term)
    # Mixing '?' alternatives with plain terms has no documented meaning: not guessed at.
    if alternatives and (required or excluded):
        raise UnsupportedPattern(text)
    return FilterPattern(tuple(required), tuple(excluded), tuple(alternatives))


def _tokens(text: str) -> list[tuple[str, str]]:
    """(prefix, term) pairs: prefix '' (must occur), '-' (must not) or '?' (any of)."""
    tokens: list[tuple[str, str]] = []
    i = 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        prefix = ""
        if text[i] in "-?" and i + 1 < len(text) and not text[i + 1].isspace():
            prefix, i = text[i], i + 1
        if text[i] == '"':
            end = text.find('"', i + 1)
            if end < 0 or end == i + 1:
                raise UnsupportedPattern(text)  # an unclosed or empty quote
            term, i = text[i + 1 : end], end + 1
        else:
            end = i
            while end < len(text) and not text[end].isspace():
                end += 1
            term, i = text[i:end], end
            if any(c in term for c in '"{}[]%'):
                raise UnsupportedPattern(text)
        tokens.append((prefix, term))
    return tokens
