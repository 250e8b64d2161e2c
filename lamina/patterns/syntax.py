"""Parse and validate a pattern into its compiled form: a list of branches (one per way through
the pattern's `$or`s), each mapping a field's dotted path to the tests its value must pass.

The checks, their order and their reason texts follow AWS's EventBridge compiler: a leaf must be
an array, an operator object has one key, operands have the documented types, numeric ranges run
bottom to top, and `$or` holds at least two objects. Dialects (dialects.py) narrow what is
accepted and add their limits."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from lamina.patterns.addresses import ip_or_none, parse_cidr
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
    SameAddress,
    Suffix,
    Wildcard,
    is_number,
)
from lamina.patterns.wildcard import compile_wildcard

OR = "$or"
# Operator names may not be field names inside $or (AWS refuses them there).
RESERVED_IN_OR = frozenset(
    {"prefix", "suffix", "equals", "equals-ignore-case", "anything-but", "numeric", "exists",
     "cidr", "wildcard"}
)  # fmt: skip
ONE_KEY = "Only one key allowed in match expression"
TOO_MANY_NUMERIC = "Too many elements in numeric expression"
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
            _operator(value, leaf, rules)
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


def _operator(expression: dict[str, Any], leaf: Field, rules: Rules) -> None:
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


def _check_limits(branches: list[Branch], rules: Rules) -> None:
    if rules.max_keys is not None and any(len(b) > rules.max_keys for b in branches):
        raise PatternError(f"Filter policy can not have more than {rules.max_keys} keys")
    if rules.max_combinations is not None:
        combinations = sum(math.prod(f.size for f in b.values()) for b in branches)
        if combinations > rules.max_combinations:
            raise PatternError("Filter policy is too complex")
