"""The walk over the params, shape by shape, gathering the violations (paths as
`violations.Path`: linked, one tuple per step)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lamina.protocol.validate.constraints import ConstraintChecks, fails
from lamina.protocol.validate.shapes import LIST, MAP, STRUCT, Node
from lamina.protocol.validate.violations import Path, missing


class TypeMismatch(Exception):
    def __init__(self, path: Path, value: Any, node: Node) -> None:
        self.path = path
        self.value = value
        self.node = node


def well_typed(node: Node, value: Any) -> bool:
    """Whether a scalar value is of a Python type the node's kind takes."""
    return isinstance(value, node.accept) and not isinstance(value, node.reject)


class Walker(ConstraintChecks):
    """Walks the params over the compiled shapes; the checks of each constraint kind are
    ConstraintChecks'."""

    __slots__ = ()

    def walk(self, node: Node, value: Any, path: Path, direct: bool = True) -> None:
        """Check `value` (not None) against `node`; `direct` False when the node's own
        constraints are reported on the list or map holding it instead."""
        kind = node.kind
        # type(value) in node.exact first: a set lookup, where isinstance of an ABC is slow.
        if kind == STRUCT:
            if type(value) not in node.exact and not isinstance(value, Mapping):
                raise TypeMismatch(path, value, node)
            self.structure(node, value, path)
        elif kind == LIST:
            if type(value) not in node.exact and not isinstance(value, (list, tuple)):
                raise TypeMismatch(path, value, node)
            if direct:
                self.length(node, value, len(value), path)
            self.list(node, value, path)
        elif kind == MAP:
            if type(value) not in node.exact and not isinstance(value, Mapping):
                raise TypeMismatch(path, value, node)
            if direct:
                self.length(node, value, len(value), path)
            self.map(node, value, path)
        else:
            if type(value) not in node.exact and not well_typed(node, value):
                raise TypeMismatch(path, value, node)
            if direct and node.direct:
                self.scalar(node, value, path)

    def structure(self, node: Node, value: Mapping[str, Any], path: Path) -> None:
        for name in node.required:
            if value.get(name) is None:
                self.violations.append(missing((path, "m", name)))
        looked_at = node.looked_at
        for name, item in value.items():
            if item is None:
                continue
            child = looked_at.get(name)
            if child is None:
                continue  # not in the model (AWS ignores it), or nothing in it can fail
            if child.scalar:
                if type(item) not in child.exact and not well_typed(child, item):
                    raise TypeMismatch((path, "m", name), item, child)
                if child.direct:
                    self.scalar(child, item, (path, "m", name))
            else:
                self.walk(child, item, (path, "m", name))
        members = node.member_map
        if node.union and sum(1 for k, v in value.items() if v is not None and k in members) != 1:
            self.add(
                path, value, "Member must have exactly one member set", node.sensitive, "union"
            )

    def list(self, node: Node, value: list[Any] | tuple[Any, ...], path: Path) -> None:
        item = node.item
        assert item is not None
        if not item.needs:
            return
        direct = item.direct
        scalar, exact = item.scalar, item.exact
        # A list of structures (a batch's entries) checks each one without going through walk.
        structures = item.kind == STRUCT
        first: tuple[Path, Any] | None = None  # the first element that failed
        for index, element in enumerate(value, 1):
            if element is None:
                if first is None and self.element_not_null:
                    first = ((path, "i", index), None)
                continue
            if scalar:
                if type(element) not in exact and not well_typed(item, element):
                    raise TypeMismatch((path, "i", index), element, item)
            elif structures:
                if type(element) not in exact and not isinstance(element, Mapping):
                    raise TypeMismatch((path, "i", index), element, item)
                self.structure(item, element, (path, "i", index))
            else:
                self.walk(item, element, (path, "i", index), direct=False)
            if direct and first is None and fails(item, element):
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

    def map(self, node: Node, value: Mapping[Any, Any], path: Path) -> None:
        key, val = node.key, node.value
        assert key is not None and val is not None
        check_keys, check_values = key.needs, val.needs
        if not (check_keys or check_values):
            return
        bad_key: tuple[Path, Any] | None = None  # the first key, and value, that failed
        bad_value: tuple[Path, Any] | None = None
        for k, v in value.items():
            if check_keys:
                if type(k) not in key.exact and not well_typed(key, k):
                    raise TypeMismatch((path, "k", k), k, key)
                if bad_key is None and fails(key, k):
                    bad_key = ((path, "k", k), k)
            if not check_values:
                continue
            if v is None:
                if bad_value is None and self.element_not_null:
                    bad_value = ((path, "k", k), None)
                continue
            if val.scalar:
                if type(v) not in val.exact and not well_typed(val, v):
                    raise TypeMismatch((path, "k", k), v, val)
            else:
                self.walk(val, v, (path, "k", k), direct=False)
            if val.direct and bad_value is None and fails(val, v):
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
