"""The violations the walk finds, their paths, and how a Java service prints values.

A path is printed the way the answering protocol names a parameter: Coral's (the member name
with its first letter lowered, ``kMSKeyArn``, nested with '.', a list element
``<list>.<n>.member`` (1-based), a map value ``<map>.<key>.member``), the wire's, or the query
protocol's (``MetricData.member.1.Dimensions``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from botocore.model import OperationModel, Shape

# A path is linked, built as the walk goes down at the cost of one tuple per step:
# None at the root, else (parent, kind, item) with kind 'm' (member name), 'i' (1-based list
# index) or 'k' (map key).
Path = tuple[Any, str, Any] | None


def segments(path: Path) -> list[tuple[str, Any]]:
    out = []
    while path is not None:
        path, kind, item = path
        out.append((kind, item))
    out.reverse()
    return out


class Violation:
    """One failed constraint. `kind`: missing, max_len, min_len, max_val, min_val, pattern,
    enum, union, or elements / keys / values (an element shape's constraints, reported on the
    collection; `element` is then the path and value of the first element that failed)."""

    __slots__ = ("constraint", "element", "kind", "limit", "missing", "path", "sensitive", "value")

    def __init__(
        self,
        path: Path,
        value: Any,
        constraint: str,
        sensitive: bool,
        kind: str,
        limit: Any = None,
        element: tuple[Path, Any] | None = None,
    ) -> None:
        self.path = path
        self.value = value
        self.constraint = constraint
        self.sensitive = sensitive
        self.kind = kind
        self.limit = limit
        self.element = element
        self.missing = kind == "missing"


def missing(path: Path) -> Violation:
    return Violation(path, None, "Member must not be null", False, "missing")


def coral_path(path: Path) -> str:
    parts = []
    for kind, item in segments(path):
        if kind == "m":
            parts.append(item[:1].lower() + item[1:])
        else:
            parts.append(f"{item}.member")
    return ".".join(parts)


def wire_path(path: Path) -> str:
    return ".".join(str(item) for _, item in segments(path))


def query_path(operation: OperationModel, path: Path) -> str:
    """The parameter's name as the query protocol sends it: MetricData.member.1.Dimensions."""
    shape: Shape | None = operation.input_shape
    parts: list[str] = []
    for kind, item in segments(path):
        if kind == "m":
            member = shape.members.get(item) if shape is not None else None
            parts.append(member.serialization.get("name", item) if member is not None else item)
            shape = member
        elif kind == "i":
            element = getattr(shape, "member", None)
            if shape is not None and not shape.serialization.get("flattened"):
                name = element.serialization.get("name") if element is not None else None
                parts.append(name or "member")
            parts.append(str(item))
            shape = element
        else:
            parts.append(str(item))
            shape = getattr(shape, "value", None)
    return ".".join(parts)


# ---------------------------------------------------------------------------------------------
# How a Java service prints values


def _java_double(value: float) -> str:
    """Java's Double.toString."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    magnitude = abs(value)
    if value == 0 or 1e-3 <= magnitude < 1e7:
        return repr(value)
    sign, digits, exponent = Decimal(repr(value)).as_tuple()
    numerals = "".join(map(str, digits)).rstrip("0") or "0"
    power = len(digits) + int(exponent) - 1
    return f"{'-' if sign else ''}{numerals[0]}.{numerals[1:] or '0'}E{power}"


def java_string(value: Any) -> str:
    """How a Java service prints a value in its messages (String.valueOf of the Java object)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _java_double(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        size = value.nbytes if isinstance(value, memoryview) else len(value)
        return f"java.nio.HeapByteBuffer[pos=0 lim={size} cap={size}]"
    if isinstance(value, dt.datetime):
        when = value.astimezone(dt.UTC) if value.tzinfo else value
        return when.strftime("%a %b %d %H:%M:%S UTC %Y")
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{java_string(k)}={java_string(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(java_string(v) for v in value) + "]"
    return str(value)
