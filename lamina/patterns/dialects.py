"""Which parts of the pattern language each AWS service accepts, and its limits.

EventBridge (rules, TestEventPattern, and Pipes, whose filters are EventBridge patterns) has the
whole language. Lambda event filtering documents a subset: exact values (strings, numbers,
true/false/null, ""), equals-ignore-case, prefix, suffix, anything-but over plain values, numeric,
exists and $or; no wildcard, no cidr, and no nested forms (prefix/suffix with equals-ignore-case,
anything-but with prefix/suffix/equals-ignore-case/wildcard). SNS filter policies accept exact
values, prefix, suffix, equals-ignore-case, anything-but (values, prefix, suffix), numeric,
exists, cidr and $or; no wildcard. SNS also limits a policy to 5 keys and 150 combinations,
numbers to +-1e9, and the MessageAttributes scope to a flat policy.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

# Lambda: FilterCriteria.Filters holds at most 5 filters per event source mapping (a quota the
# caller enforces; each filter's Pattern is at most 4,096 characters, which botocore's model
# already checks).
LAMBDA_MAX_FILTERS = 5

_ALL = frozenset(
    {"prefix", "suffix", "equals-ignore-case", "anything-but", "numeric", "exists", "cidr",
     "wildcard"}
)  # fmt: skip


class Dialect(enum.Enum):
    EVENTBRIDGE = "eventbridge"
    LAMBDA = "lambda"
    SNS_MESSAGE_ATTRIBUTES = "sns-message-attributes"
    SNS_MESSAGE_BODY = "sns-message-body"


@dataclass(frozen=True)
class Rules:
    operators: frozenset[str]
    anything_but_forms: frozenset[str]  # keys allowed inside {"anything-but": {...}}
    affix_ignore_case: bool  # {"prefix": {"equals-ignore-case": ...}} and suffix alike
    number_limit: float  # numeric operands (and anything-but numbers) within +-this
    nested: bool = True  # objects inside the pattern (SNS attribute scope is flat)
    max_keys: int | None = None  # fields per branch
    max_combinations: int | None = None
    max_length: int | None = None  # characters of the pattern's JSON


RULES: dict[Dialect, Rules] = {
    Dialect.EVENTBRIDGE: Rules(
        operators=_ALL,
        anything_but_forms=frozenset({"equals-ignore-case", "prefix", "suffix", "wildcard"}),
        affix_ignore_case=True,
        number_limit=5.0e9,
    ),
    Dialect.LAMBDA: Rules(
        operators=_ALL - {"cidr", "wildcard"},
        anything_but_forms=frozenset(),
        affix_ignore_case=False,
        number_limit=5.0e9,
    ),
}
_SNS = Rules(
    operators=_ALL - {"wildcard"},
    anything_but_forms=frozenset({"prefix", "suffix"}),
    affix_ignore_case=False,
    number_limit=1.0e9,
    max_keys=5,
    max_combinations=150,
    max_length=256 * 1024,
)
RULES[Dialect.SNS_MESSAGE_ATTRIBUTES] = Rules(**{**_SNS.__dict__, "nested": False})
RULES[Dialect.SNS_MESSAGE_BODY] = _SNS
