"""AWS's event-pattern language, once, for every service that uses it: EventBridge rules and
TestEventPattern, Pipes filters, Lambda event filtering (FilterCriteria), SNS filter policies.

    pattern = compile_pattern('{"source": ["aws.ec2"]}', Dialect.EVENTBRIDGE)
    pattern.matches(event)  # -> bool

`compile_pattern` parses and validates once, raising PatternError(reason) where AWS refuses a
pattern (the reason as AWS words it; each service wraps it in its own error code); `matches`
walks an event's dicts with no re-parsing.

The language: a pattern is a JSON object; its leaves are arrays of alternatives (OR), its fields
all apply (AND), nesting follows the event's, and `$or` (at any level, two objects or more) forks
alternatives of whole field sets. An alternative is an exact value (string, number compared
numerically, true, false, null, "") or an operator object: prefix, suffix (each also with
{"equals-ignore-case": ...}), equals-ignore-case, wildcard, anything-but (a value, a list of
strings or of numbers, or {prefix|suffix|equals-ignore-case|wildcard: value or list}), numeric
(=, or one or two bounds of <, <=, >, >=), exists (true: the field has a value, null included;
false: it has none; objects and empty arrays are not values), cidr (IPv4 and IPv6). Event arrays
match when any element does.

Dialects (dialects.py):
- EVENTBRIDGE (also Pipes): everything above; numbers within +-5.0e9.
- LAMBDA: exact values, equals-ignore-case, prefix, suffix, anything-but over plain values,
  numeric, exists, $or; no wildcard, cidr, nor nested forms. The `body`/`data`/`dynamodb`
  top-level keys, and the 5 filters per mapping (LAMBDA_MAX_FILTERS), are the caller's concern.
- SNS_MESSAGE_ATTRIBUTES / SNS_MESSAGE_BODY: exact values, prefix, suffix, equals-ignore-case,
  anything-but (values, prefix, suffix), numeric within +-1e9, exists, cidr, $or; at most 5 keys
  per branch and 150 combinations; the attribute scope takes no nested objects and matches the
  values sns.attributes_as_event makes of MessageAttributes.
"""

from __future__ import annotations

from typing import Any

from lamina.patterns.dialects import LAMBDA_MAX_FILTERS, RULES, Dialect
from lamina.patterns.errors import PatternError
from lamina.patterns.match import matches_branches
from lamina.patterns.syntax import Branch, load, parse

__all__ = ["LAMBDA_MAX_FILTERS", "Dialect", "Pattern", "PatternError", "compile_pattern"]


class Pattern:
    __slots__ = ("branches", "dialect")

    def __init__(self, branches: list[Branch], dialect: Dialect) -> None:
        self.branches = branches
        self.dialect = dialect

    def matches(self, event: Any) -> bool:
        return matches_branches(self.branches, event)


def compile_pattern(pattern: str | dict[str, Any], dialect: Dialect) -> Pattern:
    rules = RULES[dialect]
    limit = rules.max_length
    if isinstance(pattern, str) and limit is not None and len(pattern.encode()) > limit:
        raise PatternError("Filter policy is too long")
    return Pattern(parse(load(pattern), rules), dialect)
