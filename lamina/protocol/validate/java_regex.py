"""The model's patterns, which are Java regular expressions, as Python's re reads them."""

from __future__ import annotations

import logging
import re
import warnings
from functools import cache

from lamina.protocol.validate.unicode_classes import class_content

log = logging.getLogger(__name__)

_HORIZONTAL_SPACE = r" \t\xa0\u1680\u180e\u2000-\u200a\u202f\u205f\u3000"
_CLASS_ESCAPES = frozenset("wdsWDSh")
_FLAGS = re.compile(r"\(\?([a-zA-Z]+)\)")
_QUANTIFIER = re.compile(r"\{\d*,?\d*\}[?+]?|[?*+][?+]?")
_HEX4 = re.compile(r"[0-9a-fA-F]{4}")


def translate_java_regex(pattern: str) -> str:
    """A Java regular expression as Python's re reads it (compile with re.ASCII, since Java's
    \\d, \\w, \\s and (?i) are ASCII-only). Possessive quantifiers and atomic groups need no
    change in Python 3.11. Raises ValueError for what cannot be translated."""
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = False
    after_class_escape = False  # inside a class, right after \w, \p{..}: a '-' is literal
    closers = [0]  # per open group: scoped-flag groups to close with it
    while i < n:
        ch = pattern[i]
        if in_class and after_class_escape and ch == "-" and pattern[i + 1 : i + 2] != "]":
            out.append(r"\-")
            i += 1
            after_class_escape = False
            continue
        after_class_escape = False
        if ch == "\\":
            if i + 1 >= n:
                raise ValueError("trailing backslash")
            nxt = pattern[i + 1]
            if nxt in "pP":
                if pattern[i + 2 : i + 3] == "{":
                    end = pattern.find("}", i + 3)
                    if end < 0:
                        raise ValueError("unterminated \\p{")
                    name, i = pattern[i + 3 : end], end + 1
                elif i + 2 < n:
                    name, i = pattern[i + 2], i + 3
                else:
                    raise ValueError("dangling \\p")
                content = class_content(name, negated=nxt == "P")
                out.append(content if in_class else f"[{content}]")
                after_class_escape = in_class
                continue
            if nxt == "Q":
                end = pattern.find("\\E", i + 2)
                literal = pattern[i + 2 :] if end < 0 else pattern[i + 2 : end]
                out.append(re.escape(literal))
                i = n if end < 0 else end + 2
                continue
            if nxt == "x" and pattern[i + 2 : i + 3] == "{":
                end = pattern.find("}", i + 3)
                if end < 0:
                    raise ValueError("unterminated \\x{")
                out.append(f"\\U{int(pattern[i + 3 : end], 16):08x}")
                i = end + 1
                continue
            if nxt == "u" and _HEX4.fullmatch(pattern, i + 2, i + 6):
                code = int(pattern[i + 2 : i + 6], 16)
                i += 6
                # Java reads an escaped surrogate pair as the one code point it encodes
                if (
                    0xD800 <= code <= 0xDBFF
                    and pattern.startswith("\\u", i)
                    and _HEX4.fullmatch(pattern, i + 2, i + 6)
                ):
                    low = int(pattern[i + 2 : i + 6], 16)
                    if 0xDC00 <= low <= 0xDFFF:
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                out.append(f"\\U{code:08x}")
                continue
            if nxt == "z":
                out.append(r"\Z")
            elif nxt == "Z":
                out.append(r"(?=\n?\Z)")
            elif nxt == "h":
                out.append(_HORIZONTAL_SPACE if in_class else f"[{_HORIZONTAL_SPACE}]")
            elif nxt == "e":
                out.append(r"\x1b")
            elif nxt == "c" and i + 2 < n:
                out.append(f"\\x{ord(pattern[i + 2]) ^ 0x40:02x}")
                i += 3
                continue
            else:
                out.append(ch + nxt)
            after_class_escape = in_class and nxt in _CLASS_ESCAPES
            i += 2
            continue
        if in_class:
            if ch == "[":
                raise ValueError("nested character class (a Java union) is not supported")
            if ch == "&" and pattern.startswith("&&", i):
                raise ValueError("character class intersection is not supported")
            if ch == "]":
                in_class = False
            out.append(ch)
            i += 1
            continue
        if ch == "[":
            in_class = True
            out.append(ch)
            i += 1
            if pattern[i : i + 1] == "^":
                out.append("^")
                i += 1
            if pattern[i : i + 1] == "]":
                out.append(r"\]")
                i += 1
            continue
        if ch == "(":
            flags = _FLAGS.match(pattern, i)
            if flags is not None and i > 0:
                # Java allows (?i) anywhere, for the rest of the enclosing group; Python only
                # at the start, so scope it: (?i:...) closed with that group.
                out.append(f"(?{flags.group(1)}:")
                closers[-1] += 1
                i = flags.end()
                continue
            if pattern.startswith("(?<", i) and pattern[i + 3 : i + 4] not in ("=", "!"):
                out.append("(?P<")
                i += 3
            else:
                out.append("(")
                i += 1
            closers.append(0)
            continue
        if ch == ")":
            if len(closers) > 1:
                out.append(")" * closers.pop())
            out.append(")")
            i += 1
            continue
        out.append(ch)
        i += 1
        if ch in "^$":
            # Java accepts a quantified anchor ('${1,128}'), which is the anchor itself
            quantifier = _QUANTIFIER.match(pattern, i)
            if quantifier is not None:
                i = quantifier.end()
    out.append(")" * closers[0])
    return "".join(out)


@cache
def compile_pattern(pattern: str) -> re.Pattern[str] | None:
    """A model's pattern (a Java regex, matched against the whole value), compiled once;
    None when it cannot be read, in which case the check is skipped."""
    try:
        translated = translate_java_regex(pattern)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return re.compile(translated, re.ASCII)
    except (ValueError, re.error, OverflowError) as exc:
        log.debug("skipping the model pattern %r, which Python cannot compile: %s", pattern, exc)
        return None
