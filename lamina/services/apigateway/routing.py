"""Which resource of a deployment a request's path names, as API Gateway chooses: at each level
a literal part first, then the level's `{param}`, then its greedy `{proxy+}` (one or more
parts). Empty parts (a trailing or doubled slash) do not count."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class _Node:
    resource: dict[str, Any] | None = None
    literals: dict[str, _Node] = field(default_factory=dict)
    variable: tuple[str, _Node] | None = None
    greedy: tuple[str, _Node] | None = None


@dataclass(frozen=True)
class Match:
    resource: dict[str, Any]  # the snapshot's {id, path, methods}
    path_parameters: dict[str, str]


class Router:
    def __init__(self, resources: list[dict[str, Any]]) -> None:
        self.root = _Node()
        for resource in resources:
            node = self.root
            for part in [p for p in resource["path"].split("/") if p]:
                node = self._child(node, part)
            node.resource = resource

    @staticmethod
    def _child(node: _Node, part: str) -> _Node:
        if part.startswith("{") and part.endswith("+}"):
            if node.greedy is None:
                node.greedy = (part[1:-2], _Node())
            return node.greedy[1]
        if part.startswith("{"):
            if node.variable is None:
                node.variable = (part[1:-1], _Node())
            return node.variable[1]
        return node.literals.setdefault(part, _Node())

    def match(self, parts: list[str]) -> Match | None:
        """`parts`: the request's path segments, percent-decoded."""
        return self._walk(self.root, [p for p in parts if p], 0, {})

    def _walk(self, node: _Node, parts: list[str], at: int, params: dict[str, str]) -> Match | None:
        if at == len(parts):
            return Match(node.resource, params) if node.resource is not None else None
        literal = node.literals.get(parts[at])
        if literal is not None and (found := self._walk(literal, parts, at + 1, params)):
            return found
        if node.variable is not None:
            name, child = node.variable
            if found := self._walk(child, parts, at + 1, {**params, name: parts[at]}):
                return found
        if node.greedy is not None and node.greedy[1].resource is not None:
            name, child = node.greedy
            return Match(child.resource, {**params, name: "/".join(parts[at:])})  # type: ignore[arg-type]
        return None
