"""Parse and validate a pattern into its compiled form: a list of branches (one per way through
the pattern's `$or`s), each mapping a field's dotted path to the tests its value must pass.

The checks, their order and their reason texts follow AWS's EventBridge compiler: a leaf must be
an array of values or operator objects (operators.py), and `$or` holds at least two objects.
Dialects (dialects.py) narrow what is accepted and add their limits."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from lamina.patterns.addresses import ip_or_none
from lamina.patterns.dialects import Rules
from lamina.patterns.errors import PatternError
from lamina.patterns.matchers import Matcher, SameAddress, is_number
from lamina.patterns.operators import add_operator

OR = "$or"
# Operator names may not be field names inside $or (AWS refuses them there).
RESERVED_IN_OR = frozenset(
    {"prefix", "suffix", "equals", "equals-ignore-case", "anything-but", "numeric", "exists",
     "cidr", "wildcard"}
)  # fmt: skip
SNS_NESTED = "Filter policy scope MessageAttributes does not support nested filter policy"


@dataclass
class Field:
    """What one field's values are tested against: any value passing any test matches; `absent`
    (from exists: false) matches when the field has no value at all."""

    path: str
    segments: tuple[str, ...]
    strings: set[str] = field(default_factory=set)
    numbers: set[float] = field(default_factory=set)
    literals: list[Any] = field(default_factory=list)  # true, false, null
    matchers: list[Matcher] = field(default_factory=list)
    absent: bool = False
    size: int = 0  # values in the pattern's array (SNS counts combinations with it)

    def test(self, value: Any) -> bool:
        if isinstance(value, str):
            if value in self.strings:
                return True
        elif is_number(value):
            if value in self.numbers:
                return True
        elif any(value is literal for literal in self.literals):
            return True
        return any(m.match(value) for m in self.matchers)


Branch = dict[str, Field]


def load(pattern: str | dict[str, Any]) -> Any:
    if not isinstance(pattern, str):
        return pattern
    try:
        return json.loads(pattern, parse_constant=_no_constant)
    except (ValueError, RecursionError) as error:
        raise PatternError(str(error)) from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"Non-standard token '{name}'")


def parse(pattern: Any, rules: Rules) -> list[Branch]:
    if not isinstance(pattern, dict):
        raise PatternError("Filter is not an object")
    branches = _object(pattern, (), [{}], rules, inside_or=False)
    _check_limits(branches, rules)
    return branches


def _object(
    obj: dict[str, Any], path: tuple[str, ...], branches: list[Branch], rules: Rules,
    inside_or: bool,
) -> list[Branch]:  # fmt: skip
    if not obj:
        raise PatternError("Empty objects are not allowed")
    for key, value in obj.items():
        if key == OR:
            branches = _or(value, path, branches, rules)
            continue
        if inside_or and key in RESERVED_IN_OR:
            raise PatternError(
                f"{key} is Ruler reserved fieldName which cannot be used inside {OR}."
            )
        if isinstance(value, dict):
            if not rules.nested:
                raise PatternError(SNS_NESTED)
            branches = _object(value, (*path, key), branches, rules, inside_or)
        elif isinstance(value, list):
            leaf = _leaf(value, (*path, key), rules)
            for branch in branches:
                branch[leaf.path] = leaf  # a path given twice: the later one holds, as on AWS
        else:
            raise PatternError(f'"{key}" must be an object or an array')
    return branches


def _or(value: Any, path: tuple[str, ...], branches: list[Branch], rules: Rules) -> list[Branch]:
    if not isinstance(value, list):
        raise PatternError(f"It must be an Array followed with {OR}.")
    forked: list[Branch] = []
    for alternative in value:
        if not isinstance(alternative, dict):
            raise PatternError(f"Only JSON object is allowed in array of {OR} relationship.")
        copies = [dict(branch) for branch in branches] or [{}]
        forked.extend(_object(alternative, path, copies, rules, inside_or=True))
    if len(value) < 2:
        raise PatternError(f"There must have at least 2 Objects in {OR} relationship.")
    return forked


def _leaf(values: list[Any], path: tuple[str, ...], rules: Rules) -> Field:
    joined = ".".join(path)
    leaf = Field(path=joined, segments=tuple(joined.split(".")), size=len(values))
    for value in values:
        if isinstance(value, dict):
            add_operator(value, leaf, rules)
        elif isinstance(value, str):
            leaf.strings.add(value)
            address = ip_or_none(value)
            if address is not None:
                leaf.matchers.append(SameAddress(address))
        elif value is None or isinstance(value, bool):
            leaf.literals.append(value)
        elif is_number(value):
            leaf.numbers.add(value)
        else:
            raise PatternError("Match value must be String, number, true, false, or null")
    if not values:
        raise PatternError("Empty arrays are not allowed")
    return leaf


def _check_limits(branches: list[Branch], rules: Rules) -> None:
    if rules.max_keys is not None and any(len(b) > rules.max_keys for b in branches):
        raise PatternError(f"Filter policy can not have more than {rules.max_keys} keys")
    if rules.max_combinations is not None:
        combinations = sum(math.prod(f.size for f in b.values()) for b in branches)
        if combinations > rules.max_combinations:
            raise PatternError("Filter policy is too complex")
