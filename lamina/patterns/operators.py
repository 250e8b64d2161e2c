"""Operator objects inside a pattern's arrays ({"prefix": ...}, {"numeric": [...]},
{"anything-but": ...}, ...): each checked as AWS checks it, with AWS's reason texts, and turned
into the leaf tests of matchers.py."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from lamina.patterns.addresses import parse_cidr
from lamina.patterns.dialects import Rules
from lamina.patterns.errors import PatternError
from lamina.patterns.matchers import (
    AnythingBut,
    AnythingButEach,
    Cidr,
    EqualsIgnoreCase,
    Exists,
    Matcher,
    Numeric,
    Prefix,
    Suffix,
    Wildcard,
    is_number,
)
from lamina.patterns.wildcard import compile_wildcard

if TYPE_CHECKING:
    from lamina.patterns.syntax import Field

ONE_KEY = "Only one key allowed in match expression"
TOO_MANY_NUMERIC = "Too many elements in numeric expression"


def add_operator(expression: dict[str, Any], leaf: Field, rules: Rules) -> None:
    if not expression:
        raise PatternError("Match expression name not found")
    name, operand = next(iter(expression.items()))
    if name not in rules.operators:
        raise PatternError(f"Unrecognized match type {name}")
    extra = len(expression) > 1
    if name in ("prefix", "suffix"):
        leaf.matchers.append(_affix(name, operand, rules))
    elif name == "equals-ignore-case":
        leaf.matchers.append(EqualsIgnoreCase(_string(operand, "equals-ignore-case")))
    elif name == "wildcard":
        leaf.matchers.append(Wildcard(compile_wildcard(_string(operand, "wildcard"))))
    elif name == "cidr":
        # AWS's reason names "prefix" here; it is the text AWS answers.
        leaf.matchers.append(Cidr(parse_cidr(_string(operand, "prefix"))))
    elif name == "exists":
        if not isinstance(operand, bool):
            raise PatternError("exists match pattern must be either true or false.")
        if operand:
            leaf.matchers.append(Exists())
        else:
            leaf.absent = True
    elif name == "numeric":
        if not isinstance(operand, list):
            raise PatternError("Value of numeric must be an array.")
        leaf.matchers.append(_numeric(operand, rules.number_limit))
        if extra:
            raise PatternError(TOO_MANY_NUMERIC)
    else:  # anything-but
        leaf.matchers.append(_anything_but(operand, rules))
        if extra:
            raise PatternError(TOO_MANY_NUMERIC)
    if extra:
        raise PatternError(ONE_KEY)


def _string(operand: Any, name: str) -> str:
    if not isinstance(operand, str):
        raise PatternError(f"{name} match pattern must be a string")
    return operand


def _affix(name: str, operand: Any, rules: Rules) -> Matcher:
    kind = Prefix if name == "prefix" else Suffix
    if isinstance(operand, dict) and rules.affix_ignore_case:
        if not operand:
            raise PatternError(f"{name.capitalize()} expression name not found")
        inner, text = next(iter(operand.items()))
        if inner != "equals-ignore-case":
            raise PatternError(f"Unsupported {name} pattern: {inner}")
        matcher = kind(_string(text, "equals-ignore-case"), ignore_case=True)
        if len(operand) > 1:
            raise PatternError(ONE_KEY)
        return matcher
    return kind(_string(operand, name))


def _numeric(items: list[Any], limit: float) -> Numeric:
    def number(index: int, operator: str) -> float:
        value: Any = items[index] if index < len(items) else None
        if not is_number(value):
            word = "equals" if operator == "=" else operator
            raise PatternError(f"Value of {word} must be numeric")
        return _in_range(value, limit)

    if not items or not isinstance(items[0], str):
        raise PatternError(f"Invalid member in numeric match: {_text(items[0] if items else ']')}")
    operator = items[0]
    if operator == "=":
        value = number(1, "=")
        if len(items) > 2:
            raise PatternError(TOO_MANY_NUMERIC)
        return Numeric(value, False, value, False, limit)
    if operator in ("<", "<="):
        top = number(1, operator)
        if len(items) > 2:
            raise PatternError(TOO_MANY_NUMERIC)
        return Numeric(None, False, top, operator == "<", limit)
    if operator not in (">", ">="):
        raise PatternError(f"Unrecognized numeric range operator: {operator}")
    bottom = number(1, operator)
    if len(items) == 2:
        return Numeric(bottom, operator == ">", None, False, limit)
    second = items[2]
    if not isinstance(second, str):
        raise PatternError(f"Bad value in numeric range: {_text(second)}")
    if second not in ("<", "<="):
        raise PatternError(f"Bad numeric range operator: {second}")
    top = number(3, second)
    if len(items) > 4:
        raise PatternError("Too many terms in numeric range expression")
    if bottom >= top:
        raise PatternError("Bottom must be less than top")
    return Numeric(bottom, operator == ">", top, second == "<", limit)


def _in_range(value: float, limit: float) -> float:
    if not math.isfinite(value) or not -limit <= value <= limit:
        exponent = int(math.log10(limit))
        mantissa = f"{limit / 10**exponent:.1f}E{exponent}"
        raise PatternError(f"Value must be between -{mantissa} and +{mantissa}, inclusive")
    return value


def _anything_but(operand: Any, rules: Rules) -> Matcher:
    form = None
    if isinstance(operand, dict):
        if not operand:
            raise PatternError("Anything-But expression name not found")
        form, operand = next(iter(operand.items()))
        if form not in rules.anything_but_forms:
            raise PatternError(f"Unsupported anything-but pattern: {form}")
    if not (isinstance(operand, list | str) or is_number(operand)):
        raise PatternError("Value of anything-but must be an array or single string/number value.")
    if form is None:
        return _anything_but_values(operand, rules.number_limit)
    texts = operand if isinstance(operand, list) else [operand]
    inner: list[Matcher] = []
    for text in texts:
        if not isinstance(text, str):
            if form == "equals-ignore-case":
                raise PatternError(
                    "Inside anything-but/equals-ignore-case list, "
                    "number|start|null|boolean is not supported."
                )
            if form == "wildcard":
                raise PatternError("wildcard match pattern must be a string")
            raise PatternError("prefix/suffix match pattern must be a string")
        if form in ("prefix", "suffix") and not text:
            raise PatternError("Null prefix/suffix not allowed")
        inner.append(_anything_but_inner(form, text))
    return AnythingButEach(inner)


def _anything_but_inner(form: str, text: str) -> Matcher:
    if form == "prefix":
        return Prefix(text)
    if form == "suffix":
        return Suffix(text)
    if form == "wildcard":
        return Wildcard(compile_wildcard(text))
    return EqualsIgnoreCase(text)


def _anything_but_values(operand: Any, limit: float) -> AnythingBut:
    if not isinstance(operand, list):
        if isinstance(operand, str):
            return AnythingBut([operand], [])
        return AnythingBut([], [_in_range(operand, limit)])
    strings: list[str] = []
    numbers: list[float] = []
    for value in operand:
        if isinstance(value, str):
            strings.append(value)
        elif is_number(value):
            numbers.append(_in_range(value, limit))
        else:
            raise PatternError("Inside anything but list, start|null|boolean is not supported.")
    if bool(strings) == bool(numbers):
        raise PatternError(
            "Inside anything but list, either all values are number or string, "
            "mixed type is not supported"
        )
    return AnythingBut(strings, numbers)


def _text(value: Any) -> str:
    """A JSON token as AWS's parser prints it in reasons."""
    if isinstance(value, dict):
        return "{"
    if isinstance(value, list):
        return "["
    if value == "]":
        return "]"
    return json.dumps(value)
