"""Java's character classes (POSIX, java.lang.Character, Unicode categories and properties) as
the content of a Python character class, for `java_regex.py`."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

# Java's POSIX classes are ASCII-only (without UNICODE_CHARACTER_CLASS), as class contents.
_PUNCT = r"!-/:-@\[-`{-~"
_POSIX = {
    "Lower": "a-z",
    "Upper": "A-Z",
    "ASCII": r"\x00-\x7f",
    "Alpha": "a-zA-Z",
    "Digit": "0-9",
    "Alnum": "a-zA-Z0-9",
    "Punct": _PUNCT,
    "Graph": "a-zA-Z0-9" + _PUNCT,
    "Print": r"\x20-\x7e",
    "Blank": r" \t",
    "Cntrl": r"\x00-\x1f\x7f",
    "XDigit": "0-9a-fA-F",
    "Space": r" \t\n\x0b\f\r",
}
_JAVA_CLASSES = {
    # java.lang.Character methods, and Java's own extra categories (LD, L1, all)
    "javaLowerCase": ("Ll",),
    "javaUpperCase": ("Lu",),
    "javaTitleCase": ("Lt",),
    "javaDigit": ("Nd",),
    "javaLetter": ("L",),
    "javaLetterOrDigit": ("L", "Nd"),
    "javaAlphabetic": ("L", "Nl"),
    "LD": ("L", "Nd"),
}
# Unicode binary properties, as \p{IsName} (Java matches the name without case or '_')
_BINARY = {
    "ALPHABETIC": ("L", "Nl"),
    "LETTER": ("L",),
    "DIGIT": ("Nd",),
    "PUNCTUATION": ("P",),
    "UPPERCASE": ("Lu",),
    "LOWERCASE": ("Ll",),
    "CONTROL": ("Cc",),
    "TITLECASE": ("Lt",),
    "ASSIGNED": ("!Cn",),
}


@cache
def _category_ranges() -> dict[str, tuple[tuple[int, int], ...]]:
    """Unicode general categories as code point ranges, one- and two-letter (about 0.2 s, once)."""
    found: dict[str, list[tuple[int, int]]] = {}
    category = unicodedata.category
    previous, start = "", 0
    for cp in range(0x110000):
        cat = category(chr(cp))
        if cat != previous:
            if previous:
                found.setdefault(previous, []).append((start, cp - 1))
            previous, start = cat, cp
    found.setdefault(previous, []).append((start, 0x10FFFF))
    ranges: dict[str, tuple[tuple[int, int], ...]] = {}
    for cat, spans in found.items():
        ranges[cat] = tuple(spans)
    for major in {cat[0] for cat in found}:
        ranges[major] = _merge(
            [span for cat, spans in found.items() if cat[0] == major for span in spans]
        )
    ranges["L1"] = ((0, 0xFF),)
    ranges["all"] = ((0, 0x10FFFF),)
    ranges["!Cn"] = _complement(ranges["Cn"])
    ranges["WHITE_SPACE"] = _merge([(cp, cp) for cp in range(0x3001) if chr(cp).isspace()])
    return ranges


def _merge(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(spans):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return tuple(merged)


def _complement(spans: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    out, nxt = [], 0
    for lo, hi in spans:
        if lo > nxt:
            out.append((nxt, lo - 1))
        nxt = hi + 1
    if nxt <= 0x10FFFF:
        out.append((nxt, 0x10FFFF))
    return tuple(out)


def _spans_text(spans: tuple[tuple[int, int], ...]) -> str:
    return "".join(f"\\U{lo:08x}" if lo == hi else f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in spans)


def _ascii_spans(content: str) -> tuple[tuple[int, int], ...]:
    """The code points a POSIX class content names (for \\P{...})."""
    rx = re.compile(f"[{content}]")
    return _merge([(cp, cp) for cp in range(128) if rx.match(chr(cp))])


def class_content(name: str, negated: bool) -> str:
    """A Java \\p{name} as the content of a character class (negated for \\P)."""
    posix = name[2:] if name.startswith("Is") and name[2:] in _POSIX else name
    if posix in _POSIX:
        if not negated:
            return _POSIX[posix]
        return _spans_text(_complement(_ascii_spans(_POSIX[posix])))
    cats: tuple[str, ...]
    binary = name[2:].upper().replace("_", "") if name.startswith("Is") else ""
    if name in _JAVA_CLASSES:
        cats = _JAVA_CLASSES[name]
    elif binary in ("WHITESPACE", "WHITE_SPACE") or name == "javaWhitespace":
        cats = ("WHITE_SPACE",)
    elif binary in _BINARY:
        cats = _BINARY[binary]
    else:
        bare = name
        for prefix in ("general_category=", "gc=", "Is"):
            if bare.startswith(prefix):
                bare = bare[len(prefix) :]
        cats = ("Lu", "Ll", "Lt") if bare == "LC" else (bare,)
    table = _category_ranges()
    if not all(cat in table for cat in cats):
        raise ValueError(f"unsupported Java character property \\p{{{name}}}")
    spans = _merge([span for cat in cats for span in table[cat]])
    return _spans_text(_complement(spans) if negated else spans)
