"""The checks of each constraint kind (length, value range, pattern, enum, and the listing of
an element shape's constraints), on values the walk has found well typed."""

from __future__ import annotations

from typing import Any

from lamina.protocol.validate.shapes import BLOB, FLOAT, INT, LIST, MAP, STRING, Node
from lamina.protocol.validate.violations import Path, Violation


class ConstraintChecks:
    """The violations found so far, and the checks that add to them."""

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

    def listing(self, node: Node) -> str:
        """All of an element shape's constraints, as listed when one of them fails."""
        if self.element_not_null:
            return f"{node.agg}, Member must not be null" if node.agg else "Member must not be null"
        return node.agg

    def length(self, node: Node, value: Any, size: int, path: Path) -> None:
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

    def scalar(self, node: Node, value: Any, path: Path) -> None:
        kind = node.kind
        if kind == STRING:
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
        elif kind in (INT, FLOAT):
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
        elif kind == BLOB:
            size = blob_size(value)
            if size is not None:
                self.length(node, value, size, path)


def blob_size(value: Any) -> int | None:
    if isinstance(value, (bytes, bytearray)):
        return len(value)
    if isinstance(value, memoryview):
        return value.nbytes
    if isinstance(value, str):
        return len(value.encode())
    return None  # a stream: its length is not known here


def fails(node: Node, value: Any) -> bool:
    """Whether a (well-typed) value breaks one of the node's own constraints."""
    kind = node.kind
    size: int | None
    if kind == STRING:
        if node.regex is not None and node.regex.fullmatch(value) is None:
            return True
        if node.enum is not None and value not in node.enum:
            return True
        size = len(value)
    elif kind in (INT, FLOAT):
        if node.max_val is not None and value > node.max_val:
            return True
        return node.min_val is not None and value < node.min_val
    elif kind in (LIST, MAP):
        size = len(value)
    elif kind == BLOB:
        size = blob_size(value)
    else:
        return False
    if size is None:
        return False
    return (node.max_len is not None and size > node.max_len) or (
        node.min_len is not None and size < node.min_len
    )
