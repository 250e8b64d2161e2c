"""A model's shapes compiled into checks, once per service model (shared by shape, recursive
shapes too), each knowing whether anything below it can fail so that the walk skips
constraint-free subtrees."""

from __future__ import annotations

import datetime as dt
import re
import threading
import weakref
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

from lamina.protocol.validate.java_regex import compile_pattern

_INTEGER_TYPES = frozenset({"integer", "long", "short", "byte", "bigInteger"})
_FLOAT_TYPES = frozenset({"float", "double", "bigDecimal"})

# Node kinds
STRUCT, LIST, MAP, STRING, INT, FLOAT, BOOL, BLOB, TIME, ANY = range(10)
_KINDS = {
    "structure": STRUCT,
    "list": LIST,
    "map": MAP,
    "string": STRING,
    "boolean": BOOL,
    "blob": BLOB,
    "timestamp": TIME,
    **dict.fromkeys(_INTEGER_TYPES, INT),
    **dict.fromkeys(_FLOAT_TYPES, FLOAT),
}

# The Python types a scalar kind takes (and, within them, refuses: bool is an int)
_ACCEPT: dict[int, tuple[tuple[type, ...], tuple[type, ...]]] = {
    STRING: ((str,), ()),
    INT: ((int,), (bool,)),
    FLOAT: ((int, float), (bool,)),
    BOOL: ((bool,), ()),
    # bytes from the parser, str as boto3 allows, or a stream for a streaming payload
    BLOB: ((object,), (bool, int, float, list, tuple, dict)),
    TIME: ((dt.datetime, dt.date, str, int, float), (bool,)),
    ANY: ((object,), ()),
}
# Types whose values pass a kind's check above for sure: the walk tests `type(v) in exact`, a
# set lookup, before the two isinstance calls (bool is its own type, so no int lets one in).
_EXACT: dict[int, frozenset[type]] = {
    STRUCT: frozenset({dict}),
    LIST: frozenset({list, tuple}),
    MAP: frozenset({dict}),
    STRING: frozenset({str}),
    INT: frozenset({int}),
    FLOAT: frozenset({int, float}),
    BOOL: frozenset({bool}),
    BLOB: frozenset({bytes, bytearray, memoryview, str}),
    TIME: frozenset({dt.datetime, dt.date, str, int, float}),
    ANY: frozenset(),
}


class Node:
    """The checks for one shape. `direct`: the value itself can fail a constraint; `deep`:
    something inside it can; `needs` = either (else the value is never looked into)."""

    __slots__ = (
        "accept",
        "agg",
        "deep",
        "direct",
        "enum",
        "enum_text",
        "exact",
        "item",
        "key",
        "kind",
        "looked_at",
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
        kind = _KINDS.get(shape.type_name, ANY)
        if kind == STRUCT and getattr(shape, "is_document_type", False):
            kind = ANY
        if kind == STRING and shape.serialization.get("jsonvalue"):
            kind = ANY  # a JSON document carried in a header
        self.kind = kind
        self.scalar = kind >= STRING
        self.accept, self.reject = _ACCEPT.get(kind, ((object,), ()))
        self.exact = _EXACT[kind]
        self.sensitive = bool(meta.get("sensitive"))
        self.member_map: dict[str, Node] = {}
        # The members whose values the walk looks at: scalars (their type is checked) and
        # containers with something inside that can fail; set once the tree is settled.
        self.looked_at: dict[str, Node] = {}
        self.required: tuple[str, ...] = ()
        self.union = False
        self.item: Node | None = None
        self.key: Node | None = None
        self.value: Node | None = None
        self.min_len = self.max_len = self.min_val = self.max_val = None
        self.pattern: str | None = None
        self.regex: re.Pattern[str] | None = None
        self.enum: frozenset[str] | None = None
        self.enum_text = ""
        texts: list[str] = []
        lo, hi = meta.get("min"), meta.get("max")
        if kind in (STRING, BLOB, LIST, MAP):
            if hi is not None:
                self.max_len = hi
                texts.append(f"Member must have length less than or equal to {hi}")
            if lo is not None:
                self.min_len = lo if lo > 0 else None
                texts.append(f"Member must have length greater than or equal to {lo}")
        elif kind in (INT, FLOAT):
            if hi is not None:
                self.max_val = hi
                texts.append(f"Member must have value less than or equal to {hi}")
            if lo is not None:
                self.min_val = lo
                texts.append(f"Member must have value greater than or equal to {lo}")
        if kind == STRING:
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


class Compiler:
    """Builds the nodes of one service model, sharing them by shape (recursive shapes too)."""

    def __init__(self) -> None:
        self.nodes: dict[tuple[Any, ...], Node] = {}
        self.operations: dict[str, Node | None] = {}
        self.lock = threading.Lock()

    def operation(self, operation: OperationModel) -> Node | None:
        try:
            return self.operations[operation.name]
        except KeyError:
            pass
        with self.lock:
            if operation.name in self.operations:
                return self.operations[operation.name]
            shape = operation.input_shape
            fresh: list[Node] = []
            root = self._node(shape, fresh) if shape is not None else None
            _settle(fresh)
            self.operations[operation.name] = root
        return root

    def _node(self, shape: Shape, fresh: list[Node]) -> Node:
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
        node = Node(shape)
        self.nodes[key] = node
        fresh.append(node)
        if node.kind == STRUCT:
            for name, member_shape in shape.members.items():
                node.member_map[name] = self._node(member_shape, fresh)
            node.required = tuple(shape.required_members)
            node.union = bool(getattr(shape, "is_tagged_union", False))
        elif node.kind == LIST:
            node.item = self._node(shape.member, fresh)
        elif node.kind == MAP:
            node.key = self._node(shape.key, fresh)
            node.value = self._node(shape.value, fresh)
        return node


def _settle(fresh: list[Node]) -> None:
    """Work out `deep` for new nodes: a fixpoint, since shapes can refer to themselves."""
    changed = True
    while changed:
        changed = False
        for node in fresh:
            if node.deep:
                continue
            if node.kind == STRUCT:
                deep = (
                    bool(node.required)
                    or node.union
                    or any(child.needs for child in node.member_map.values())
                )
            elif node.kind == LIST:
                assert node.item is not None
                deep = node.item.needs
            elif node.kind == MAP:
                assert node.key is not None and node.value is not None
                deep = node.key.needs or node.value.needs
            else:
                deep = False
            if deep:
                node.deep = node.needs = True
                changed = True
    for node in fresh:
        node.looked_at = {
            name: child for name, child in node.member_map.items() if child.scalar or child.needs
        }


_compilers: weakref.WeakKeyDictionary[ServiceModel, Compiler] = weakref.WeakKeyDictionary()
_compilers_lock = threading.Lock()


def compiler_for(service: ServiceModel) -> Compiler:
    compiler = _compilers.get(service)
    if compiler is None:
        with _compilers_lock:
            compiler = _compilers.get(service)
            if compiler is None:
                compiler = _compilers[service] = Compiler()
    return compiler
