"""Input validation against the service model, as AWS's servers do it (DESIGN decision 1).

The parser hands over typed Python values; this module checks them against the model's
constraints (required members, types, enums, lengths, patterns, ranges, list and map sizes,
unions) and raises the error AWS would answer with.

Which error a service answers, and in which words, is `constraint_errors.py`'s business: the
walk here finds the violations (each failed constraint of a value is its own; constraints on
the elements of a list, or on the keys or values of a map, are reported once, on the
collection, listing all of the element shape's constraints: ``Member must satisfy constraint:
[...]``, ``Map keys must satisfy constraint: [...]``, ``Map value must satisfy constraint:
[...]``).

A value of the wrong type, in the JSON protocols, fails deserialization before any validation:
``SerializationException`` "STRING_VALUE can not be converted to an Integer". Guessed, for want
of a real answer to copy: the union text ("Member must have exactly one member set") and the
SerializationException text for a scalar where a list, map or structure belongs.

Per shape, the checks are compiled once (cached per service model) with a flag saying whether
anything below a shape can fail, so constraint-free subtrees are never walked (and so the types
of the values inside them are not checked either: the parser typed them).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import unicodedata
import warnings
import weakref
from collections.abc import Mapping
from functools import cache
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

from lamina.protocol.constraint_errors import (
    JSON_PROTOCOLS,
    Path,
    Violation,
    constraint_error,
    coral_message,
    java_string,
    missing,
    rules_for,
    wire_path,
)
from lamina.protocol.errors import ServiceError

log = logging.getLogger(__name__)

_INTEGER_TYPES = frozenset({"integer", "long", "short", "byte", "bigInteger"})
_FLOAT_TYPES = frozenset({"float", "double", "bigDecimal"})

# Node kinds
_STRUCT, _LIST, _MAP, _STRING, _INT, _FLOAT, _BOOL, _BLOB, _TIME, _ANY = range(10)
_KINDS = {
    "structure": _STRUCT,
    "list": _LIST,
    "map": _MAP,
    "string": _STRING,
    "boolean": _BOOL,
    "blob": _BLOB,
    "timestamp": _TIME,
    **dict.fromkeys(_INTEGER_TYPES, _INT),
    **dict.fromkeys(_FLOAT_TYPES, _FLOAT),
}
# Java type names in Coral's SerializationException ("an Boolean" is AWS's spelling).
_JAVA_TYPES = {
    "integer": "an Integer",
    "long": "a Long",
    "short": "a Short",
    "byte": "a Byte",
    "bigInteger": "a BigInteger",
    "float": "a Float",
    "double": "a Double",
    "bigDecimal": "a BigDecimal",
    "boolean": "an Boolean",
    "string": "a String",
    "blob": "a ByteBuffer",
    "timestamp": "a Date",
    "list": "a List",
    "map": "a Map",
    "structure": "a Structure",
}


# ---------------------------------------------------------------------------------------------
# Compiled checks


# The Python types a scalar kind takes (and, within them, refuses: bool is an int)
_ACCEPT: dict[int, tuple[tuple[type, ...], tuple[type, ...]]] = {
    _STRING: ((str,), ()),
    _INT: ((int,), (bool,)),
    _FLOAT: ((int, float), (bool,)),
    _BOOL: ((bool,), ()),
    # bytes from the parser, str as boto3 allows, or a stream for a streaming payload
    _BLOB: ((object,), (bool, int, float, list, tuple, dict)),
    _TIME: ((dt.datetime, dt.date, str, int, float), (bool,)),
    _ANY: ((object,), ()),
}


class _Node:
    """The checks for one shape. `direct`: the value itself can fail a constraint; `deep`:
    something inside it can; `needs` = either (else the value is never looked into)."""

    __slots__ = (
        "accept",
        "agg",
        "deep",
        "direct",
        "enum",
        "enum_text",
        "item",
        "key",
        "kind",
        "max_len",
        "max_val",
        "member_map",
        "min_len",
        "min_val",
        "name",
        "needs",
        "pattern",
        "regex",
        "reject",
        "required",
        "scalar",
        "sensitive",
        "type_name",
        "union",
        "value",
    )

    def __init__(self, shape: Shape) -> None:
        meta = shape.metadata
        self.name = shape.name
        self.type_name = shape.type_name
        kind = _KINDS.get(shape.type_name, _ANY)
        if kind == _STRUCT and getattr(shape, "is_document_type", False):
            kind = _ANY
        if kind == _STRING and shape.serialization.get("jsonvalue"):
            kind = _ANY  # a JSON document carried in a header
        self.kind = kind
        self.scalar = kind >= _STRING
        self.accept, self.reject = _ACCEPT.get(kind, ((object,), ()))
        self.sensitive = bool(meta.get("sensitive"))
        self.member_map: dict[str, _Node] = {}
        self.required: tuple[str, ...] = ()
        self.union = False
        self.item: _Node | None = None
        self.key: _Node | None = None
        self.value: _Node | None = None
        self.min_len = self.max_len = self.min_val = self.max_val = None
        self.pattern: str | None = None
        self.regex: re.Pattern[str] | None = None
        self.enum: frozenset[str] | None = None
        self.enum_text = ""
        texts: list[str] = []
        lo, hi = meta.get("min"), meta.get("max")
        if kind in (_STRING, _BLOB, _LIST, _MAP):
            if hi is not None:
                self.max_len = hi
                texts.append(f"Member must have length less than or equal to {hi}")
            if lo is not None:
                self.min_len = lo if lo > 0 else None
                texts.append(f"Member must have length greater than or equal to {lo}")
        elif kind in (_INT, _FLOAT):
            if hi is not None:
                self.max_val = hi
                texts.append(f"Member must have value less than or equal to {hi}")
            if lo is not None:
                self.min_val = lo
                texts.append(f"Member must have value greater than or equal to {lo}")
        if kind == _STRING:
            pattern = meta.get("pattern")
            if pattern:
                self.pattern = pattern
                self.regex = compile_pattern(pattern)
                texts.append(f"Member must satisfy regular expression pattern: {pattern}")
            enum = getattr(shape, "enum", None)
            if enum:
                self.enum = frozenset(enum)
                self.enum_text = f"Member must satisfy enum value set: [{', '.join(enum)}]"
                texts.append(self.enum_text)
        # every constraint of the shape, as listed when it constrains list elements or map keys
        self.agg = ", ".join(texts)
        self.direct = (
            self.min_len is not None
            or self.max_len is not None
            or self.min_val is not None
            or self.max_val is not None
            or self.regex is not None
            or self.enum is not None
        )
        self.deep = False
        self.needs = self.direct


class _Compiler:
    """Builds the nodes of one service model, sharing them by shape (recursive shapes too)."""

    def __init__(self) -> None:
        self.nodes: dict[tuple[Any, ...], _Node] = {}
        self.operations: dict[str, _Node | None] = {}
        self.lock = threading.Lock()

    def operation(self, operation: OperationModel) -> _Node | None:
        try:
            return self.operations[operation.name]
        except KeyError:
            pass
        with self.lock:
            if operation.name in self.operations:
                return self.operations[operation.name]
            shape = operation.input_shape
            fresh: list[_Node] = []
            root = self._node(shape, fresh) if shape is not None else None
            _settle(fresh)
            self.operations[operation.name] = root
        return root

    def _node(self, shape: Shape, fresh: list[_Node]) -> _Node:
        meta = shape.metadata
        key = (
            shape.name,
            shape.type_name,
            meta.get("min"),
            meta.get("max"),
            meta.get("pattern"),
            meta.get("sensitive"),
            shape.serialization.get("jsonvalue"),
        )
        node = self.nodes.get(key)
        if node is not None:
            return node
        node = _Node(shape)
        self.nodes[key] = node
        fresh.append(node)
        if node.kind == _STRUCT:
            for name, member_shape in shape.members.items():
                node.member_map[name] = self._node(member_shape, fresh)
            node.required = tuple(shape.required_members)
            node.union = bool(getattr(shape, "is_tagged_union", False))
        elif node.kind == _LIST:
            node.item = self._node(shape.member, fresh)
        elif node.kind == _MAP:
            node.key = self._node(shape.key, fresh)
            node.value = self._node(shape.value, fresh)
        return node


def _settle(fresh: list[_Node]) -> None:
    """Work out `deep` for new nodes: a fixpoint, since shapes can refer to themselves."""
    changed = True
    while changed:
        changed = False
        for node in fresh:
            if node.deep:
                continue
            if node.kind == _STRUCT:
                deep = (
                    bool(node.required)
                    or node.union
                    or any(child.needs for child in node.member_map.values())
                )
            elif node.kind == _LIST:
                assert node.item is not None
                deep = node.item.needs
            elif node.kind == _MAP:
                assert node.key is not None and node.value is not None
                deep = node.key.needs or node.value.needs
            else:
                deep = False
            if deep:
                node.deep = node.needs = True
                changed = True


_compilers: weakref.WeakKeyDictionary[ServiceModel, _Compiler] = weakref.WeakKeyDictionary()
_compilers_lock = threading.Lock()


def _compiler(service: ServiceModel) -> _Compiler:
    compiler = _compilers.get(service)
    if compiler is None:
        with _compilers_lock:
            compiler = _compilers.get(service)
            if compiler is None:
                compiler = _compilers[service] = _Compiler()
    return compiler


# ---------------------------------------------------------------------------------------------
# Java regular expressions

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
_HORIZONTAL_SPACE = r" \t\xa0\u1680\u180e\u2000-\u200a\u202f\u205f\u3000"
_CLASS_ESCAPES = frozenset("wdsWDSh")
_FLAGS = re.compile(r"\(\?([a-zA-Z]+)\)")
_QUANTIFIER = re.compile(r"\{\d*,?\d*\}[?+]?|[?*+][?+]?")
_HEX4 = re.compile(r"[0-9a-fA-F]{4}")


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


def _property(name: str, negated: bool) -> str:
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
                content = _property(name, negated=nxt == "P")
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


# ---------------------------------------------------------------------------------------------
# Walking the params (paths as constraint_errors.Path: linked, one tuple per step)


class _TypeMismatch(Exception):
    def __init__(self, path: Path, value: Any, node: _Node) -> None:
        self.path = path
        self.value = value
        self.node = node


class _Walker:
    __slots__ = ("element_not_null", "violations")

    def __init__(self, element_not_null: bool) -> None:
        self.violations: list[Violation] = []
        self.element_not_null = element_not_null

    def add(
        self,
        path: Path,
        value: Any,
        constraint: str,
        sensitive: bool,
        kind: str,
        limit: Any = None,
        element: tuple[Path, Any] | None = None,
    ) -> None:
        self.violations.append(Violation(path, value, constraint, sensitive, kind, limit, element))

    def walk(self, node: _Node, value: Any, path: Path, direct: bool = True) -> None:
        """Check `value` (not None) against `node`; `direct` False when the node's own
        constraints are reported on the list or map holding it instead."""
        kind = node.kind
        if kind == _STRUCT:
            if not isinstance(value, Mapping):
                raise _TypeMismatch(path, value, node)
            self.structure(node, value, path)
        elif kind == _LIST:
            if not isinstance(value, (list, tuple)):
                raise _TypeMismatch(path, value, node)
            if direct:
                self.length(node, value, len(value), path)
            self.list(node, value, path)
        elif kind == _MAP:
            if not isinstance(value, Mapping):
                raise _TypeMismatch(path, value, node)
            if direct:
                self.length(node, value, len(value), path)
            self.map(node, value, path)
        else:
            if not isinstance(value, node.accept) or isinstance(value, node.reject):
                raise _TypeMismatch(path, value, node)
            if direct and node.direct:
                self.scalar(node, value, path)

    def structure(self, node: _Node, value: Mapping[str, Any], path: Path) -> None:
        for name in node.required:
            if value.get(name) is None:
                self.violations.append(missing((path, "m", name)))
        members = node.member_map
        for name, item in value.items():
            if item is None:
                continue
            child = members.get(name)
            if child is None:
                continue  # not in the model: AWS ignores it
            if child.scalar:
                if not isinstance(item, child.accept) or isinstance(item, child.reject):
                    raise _TypeMismatch((path, "m", name), item, child)
                if child.direct:
                    self.scalar(child, item, (path, "m", name))
            elif child.needs:
                self.walk(child, item, (path, "m", name))
        if node.union and sum(1 for k, v in value.items() if v is not None and k in members) != 1:
            self.add(
                path, value, "Member must have exactly one member set", node.sensitive, "union"
            )

    def list(self, node: _Node, value: list[Any] | tuple[Any, ...], path: Path) -> None:
        item = node.item
        assert item is not None
        if not item.needs:
            return
        direct = item.direct
        first: tuple[Path, Any] | None = None  # the first element that failed
        for index, element in enumerate(value, 1):
            if element is None:
                if first is None and self.element_not_null:
                    first = ((path, "i", index), None)
                continue
            if item.scalar:
                if not isinstance(element, item.accept) or isinstance(element, item.reject):
                    raise _TypeMismatch((path, "i", index), element, item)
            else:
                self.walk(item, element, (path, "i", index), direct=False)
            if direct and first is None and _fails(item, element):
                first = ((path, "i", index), element)
        if first is not None:
            self.add(
                path,
                value,
                f"Member must satisfy constraint: [{self.listing(item)}]",
                node.sensitive or item.sensitive,
                "elements",
                element=first,
            )

    def map(self, node: _Node, value: Mapping[Any, Any], path: Path) -> None:
        key, val = node.key, node.value
        assert key is not None and val is not None
        check_keys, check_values = key.needs, val.needs
        if not (check_keys or check_values):
            return
        bad_key: tuple[Path, Any] | None = None  # the first key, and value, that failed
        bad_value: tuple[Path, Any] | None = None
        for k, v in value.items():
            if check_keys:
                if not isinstance(k, key.accept) or isinstance(k, key.reject):
                    raise _TypeMismatch((path, "k", k), k, key)
                if bad_key is None and _fails(key, k):
                    bad_key = ((path, "k", k), k)
            if not check_values:
                continue
            if v is None:
                if bad_value is None and self.element_not_null:
                    bad_value = ((path, "k", k), None)
                continue
            if val.scalar:
                if not isinstance(v, val.accept) or isinstance(v, val.reject):
                    raise _TypeMismatch((path, "k", k), v, val)
            else:
                self.walk(val, v, (path, "k", k), direct=False)
            if val.direct and bad_value is None and _fails(val, v):
                bad_value = ((path, "k", k), v)
        sensitive = node.sensitive or key.sensitive or val.sensitive
        if bad_key is not None:
            self.add(
                path,
                value,
                f"Map keys must satisfy constraint: [{self.listing(key)}]",
                sensitive,
                "keys",
                element=bad_key,
            )
        if bad_value is not None:
            self.add(
                path,
                value,
                f"Map value must satisfy constraint: [{self.listing(val)}]",
                sensitive,
                "values",
                element=bad_value,
            )

    def listing(self, node: _Node) -> str:
        """All of an element shape's constraints, as listed when one of them fails."""
        if self.element_not_null:
            return f"{node.agg}, Member must not be null" if node.agg else "Member must not be null"
        return node.agg

    def length(self, node: _Node, value: Any, size: int, path: Path) -> None:
        if node.max_len is not None and size > node.max_len:
            self.add(
                path,
                value,
                f"Member must have length less than or equal to {node.max_len}",
                node.sensitive,
                "max_len",
                node.max_len,
            )
        if node.min_len is not None and size < node.min_len:
            self.add(
                path,
                value,
                f"Member must have length greater than or equal to {node.min_len}",
                node.sensitive,
                "min_len",
                node.min_len,
            )

    def scalar(self, node: _Node, value: Any, path: Path) -> None:
        kind = node.kind
        if kind == _STRING:
            self.length(node, value, len(value), path)
            if node.regex is not None and node.regex.fullmatch(value) is None:
                self.add(
                    path,
                    value,
                    f"Member must satisfy regular expression pattern: {node.pattern}",
                    node.sensitive,
                    "pattern",
                    node.pattern,
                )
            if node.enum is not None and value not in node.enum:
                self.add(path, value, node.enum_text, node.sensitive, "enum", node.enum)
        elif kind in (_INT, _FLOAT):
            if node.max_val is not None and value > node.max_val:
                self.add(
                    path,
                    value,
                    f"Member must have value less than or equal to {node.max_val}",
                    node.sensitive,
                    "max_val",
                    node.max_val,
                )
            if node.min_val is not None and value < node.min_val:
                self.add(
                    path,
                    value,
                    f"Member must have value greater than or equal to {node.min_val}",
                    node.sensitive,
                    "min_val",
                    node.min_val,
                )
        elif kind == _BLOB:
            size = _blob_size(value)
            if size is not None:
                self.length(node, value, size, path)


def _blob_size(value: Any) -> int | None:
    if isinstance(value, (bytes, bytearray)):
        return len(value)
    if isinstance(value, memoryview):
        return value.nbytes
    if isinstance(value, str):
        return len(value.encode())
    return None  # a stream: its length is not known here


def _fails(node: _Node, value: Any) -> bool:
    """Whether a (well-typed) value breaks one of the node's own constraints."""
    kind = node.kind
    size: int | None
    if kind == _STRING:
        if node.regex is not None and node.regex.fullmatch(value) is None:
            return True
        if node.enum is not None and value not in node.enum:
            return True
        size = len(value)
    elif kind in (_INT, _FLOAT):
        if node.max_val is not None and value > node.max_val:
            return True
        return node.min_val is not None and value < node.min_val
    elif kind in (_LIST, _MAP):
        size = len(value)
    elif kind == _BLOB:
        size = _blob_size(value)
    else:
        return False
    if size is None:
        return False
    return (node.max_len is not None and size > node.max_len) or (
        node.min_len is not None and size < node.min_len
    )


# ---------------------------------------------------------------------------------------------
# Messages


def _type_error(protocol: str, mismatch: _TypeMismatch) -> ServiceError:
    value, node = mismatch.value, mismatch.node
    if protocol in JSON_PROTOCOLS:
        if isinstance(value, (list, tuple)):
            message = "Start of list found where not expected"
        elif isinstance(value, Mapping):
            message = "Start of structure or map found where not expected"
        else:
            if isinstance(value, bool):
                token = "TRUE_VALUE" if value else "FALSE_VALUE"
            elif isinstance(value, (int, float)):
                token = "NUMBER_VALUE"
            else:
                token = "STRING_VALUE"
            target = _JAVA_TYPES.get(node.type_name, f"a {node.type_name}")
            message = f"{token} can not be converted to {target}"
        return ServiceError("SerializationException", message, 400)
    name = wire_path(mismatch.path)
    text = f"Value ({java_string(value)}) for parameter {name} is invalid."
    if protocol == "rest-xml":
        return ServiceError(
            "InvalidArgument", text, 400, ArgumentName=name, ArgumentValue=java_string(value)
        )
    return ServiceError("InvalidParameterValue", text, 400)


# ---------------------------------------------------------------------------------------------


def precompile(service: ServiceModel) -> None:
    """Compile the checks of every operation of `service` now (start-up), so that the first
    request of each operation, and the first pattern with a Unicode class (about 0.2 s for
    the category tables), do not pay for it."""
    compiler = _compiler(service)
    for name in service.operation_names:
        compiler.operation(service.operation_model(name))


def validate_input(
    operation: OperationModel, params: dict[str, Any], *, protocol: str | None = None
) -> None:
    """Raise the ServiceError AWS would answer when `params` (as the parser gives them) break
    the constraints of `operation`'s input shape; return None when they are valid.

    `protocol` is the one the request came in by (a service may speak several); by default
    the model's own."""
    service = operation.service_model
    root = _compiler(service).operation(operation)
    if root is None:
        return
    protocol = protocol or operation.metadata.get("protocol") or "json"
    walker = _Walker(rules_for(service.service_name, protocol).element_not_null)
    try:
        walker.walk(root, params if params is not None else {}, None)
    except _TypeMismatch as mismatch:
        raise _type_error(protocol, mismatch) from None
    if walker.violations:
        raise constraint_error(protocol, operation, walker.violations)


__all__ = [
    "compile_pattern",
    "coral_message",
    "java_string",
    "precompile",
    "translate_java_regex",
    "validate_input",
]
