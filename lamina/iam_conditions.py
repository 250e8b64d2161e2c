"""A policy statement's Condition block, evaluated against a request's context keys as IAM
does: every operator and every key of the block must hold; a key's listed values are ORed
(for a negated operator: the request's value must be none of them).

A key the request does not carry fails the condition, except for the negated operators (which
then hold), `…IfExists` (which then holds) and `Null`. Keys are case-insensitive, values of
the String operators case-sensitive unless `…IgnoreCase`. `ForAnyValue:` / `ForAllValues:`
take a multivalued key. An operator Lamina does not know raises `Unsupported`, for the caller
to fail closed (a Deny applies, an Allow does not)."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from typing import Any

from lamina.iam_patterns import matches

Context = Mapping[str, str | list[str]]  # context keys, lowercased, to one value or several


class Unsupported(Exception):
    """A condition operator Lamina cannot evaluate."""


def _ip(pattern: str, value: str) -> bool:
    try:
        return ipaddress.ip_address(value) in ipaddress.ip_network(pattern, strict=False)
    except ValueError:
        return False


def _number(compare: Callable[[float, float], bool]) -> Callable[[str, str], bool]:
    def test(pattern: str, value: str) -> bool:
        try:
            return compare(float(value), float(pattern))
        except ValueError:
            return False

    return test


# operator -> (does one request value match one policy value, negated)
_OPERATORS: dict[str, tuple[Callable[[str, str], bool], bool]] = {
    "StringEquals": (lambda p, v: p == v, False),
    "StringNotEquals": (lambda p, v: p == v, True),
    "StringEqualsIgnoreCase": (lambda p, v: p.lower() == v.lower(), False),
    "StringNotEqualsIgnoreCase": (lambda p, v: p.lower() == v.lower(), True),
    "StringLike": (matches, False),
    "StringNotLike": (matches, True),
    "ArnEquals": (matches, False),  # IAM lets ArnEquals take wildcards too
    "ArnLike": (matches, False),
    "ArnNotEquals": (matches, True),
    "ArnNotLike": (matches, True),
    "Bool": (lambda p, v: p.lower() == v.lower(), False),
    "IpAddress": (_ip, False),
    "NotIpAddress": (_ip, True),
    "NumericEquals": (_number(lambda v, p: v == p), False),
    "NumericNotEquals": (_number(lambda v, p: v == p), True),
    "NumericLessThan": (_number(lambda v, p: v < p), False),
    "NumericLessThanEquals": (_number(lambda v, p: v <= p), False),
    "NumericGreaterThan": (_number(lambda v, p: v > p), False),
    "NumericGreaterThanEquals": (_number(lambda v, p: v >= p), False),
}


def _values(value: Any) -> list[str]:
    listed = value if isinstance(value, list) else [value]
    return [str(v).lower() if isinstance(v, bool) else str(v) for v in listed]


def _one(operator: str, key: str, wanted: list[str], context: Context) -> bool:
    quantifier, _, operator = operator.rpartition(":")
    if_exists = operator.endswith("IfExists")
    operator = operator.removesuffix("IfExists")
    present = context.get(key.lower())
    if operator == "Null":
        return (present is None) == (wanted[0].lower() == "true")
    if operator not in _OPERATORS or quantifier not in ("", "ForAnyValue", "ForAllValues"):
        raise Unsupported(f"{quantifier + ':' if quantifier else ''}{operator}")
    test, negated = _OPERATORS[operator]
    if present is None:
        if quantifier == "ForAllValues":
            return True  # vacuously, as IAM has it
        return if_exists or negated
    given = present if isinstance(present, list) else [present]

    def holds(value: str) -> bool:
        hit = any(test(pattern, value) for pattern in wanted)
        return not hit if negated else hit

    if quantifier == "ForAllValues":
        return all(holds(value) for value in given)
    return any(holds(value) for value in given)


def holds(condition: Any, context: Context) -> bool:
    """Whether a statement's Condition block holds for the request (no block holds)."""
    if not condition:
        return True
    if not isinstance(condition, dict):
        raise Unsupported("a Condition that is not an object")
    for operator, keys in condition.items():
        if not isinstance(keys, dict):
            raise Unsupported(f"{operator} without keys")
        for key, value in keys.items():
            if not _one(operator, key, _values(value), context):
                return False
    return True
