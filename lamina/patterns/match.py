"""Matching a compiled pattern against events: a walk of the event's dicts along each field's
path, no re-parsing per event.

A field's path is its keys joined with dots, as AWS flattens both patterns and events, so
{"a": {"b": ...}} and {"a.b": ...} name the same field on either side. Arrays in the event are
looked through: a field matches when any element's value does. When several fields reach into the
same array, AWS requires them to match within one element (an event [{"b": 1, "c": 2},
{"b": 3, "c": 4}] does not match b=1 and c=4); each value found carries the array positions it
came through, and a branch matches only with positions that agree."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lamina.patterns.syntax import Branch, Field

# (id of an array in the event, index within it), for each array a value was reached through.
Positions = tuple[tuple[int, int], ...]


def matches_branches(branches: list[Branch], event: Any) -> bool:
    return any(_branch_matches(branch, event) for branch in branches)


def _branch_matches(branch: Branch, event: Any) -> bool:
    found: list[list[Positions]] = []
    for leaf in branch.values():
        positions = _field_positions(leaf, event)
        if not positions:
            return False
        found.append(positions)
    if all(p == () for candidates in found for p in candidates):
        return True  # no arrays involved: nothing to reconcile
    return _agree(found, 0, {})


def _field_positions(leaf: Field, event: Any) -> list[Positions]:
    seen = False
    out: list[Positions] = []
    for value, positions in _values(event, leaf.segments, 0, ()):
        seen = True
        if leaf.test(value) and positions not in out:
            out.append(positions)
    if not seen and leaf.absent:
        out.append(())
    return out


def _values(
    node: Any, segments: tuple[str, ...], at: int, positions: Positions
) -> Iterator[tuple[Any, Positions]]:
    """The leaf values (strings, numbers, booleans, null) at segments[at:] below node."""
    if isinstance(node, list):
        for index, element in enumerate(node):
            yield from _values(element, segments, at, (*positions, (id(node), index)))
        return
    if at == len(segments):
        if not isinstance(node, dict):
            yield node, positions
        return
    if not isinstance(node, dict):
        return
    # The next key may itself hold dots ({"a.b": ...} in the event): try each join of segments.
    key = segments[at]
    for end in range(at + 1, len(segments) + 1):
        if end > at + 1:
            key = f"{key}.{segments[end - 1]}"
        if key in node:
            yield from _values(node[key], segments, end, positions)


def _agree(found: list[list[Positions]], index: int, chosen: dict[int, int]) -> bool:
    if index == len(found):
        return True
    for positions in found[index]:
        agrees = all(chosen.get(array, at) == at for array, at in positions)
        if agrees and _agree(found, index + 1, {**chosen, **dict(positions)}):
            return True
    return False
