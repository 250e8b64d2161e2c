"""FilterCriteria: which records of a batch reach the function. A record matches when any of
the mapping's patterns matches it (Lambda ORs its filters); those that match none are
acknowledged unseen, as Lambda deletes them from an SQS queue.

The patterns are Lambda's dialect of the event-pattern language, compiled by the shared matcher
(DESIGN decision 12). Until that matcher is part of Lamina, `compile_filters` reports that it is
missing and the control plane refuses FilterCriteria plainly rather than ignoring it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from lamina.pollers.source import Record


class Matcher(Protocol):
    def matches(self, event: dict[str, Any]) -> bool: ...


class InvalidPattern(ValueError):
    """A pattern the matcher refuses: Lambda answers "Invalid filter pattern definition."."""


class MatcherMissing(RuntimeError):
    """No event-pattern matcher is installed in this Lamina."""


# The matcher's compile function, (pattern JSON text) -> Matcher, raising InvalidPattern; set
# by `use_matcher` once the shared matcher is wired in.
_compile: Callable[[str], Matcher] | None = None


def use_matcher(compile_pattern: Callable[[str], Matcher] | None) -> None:
    global _compile
    _compile = compile_pattern


class Filters:
    def __init__(self, matchers: Sequence[Matcher]) -> None:
        self.matchers = list(matchers)

    def split(self, records: list[Record]) -> tuple[list[Record], list[Record]]:
        """(the records that go to the function, those filtered out)."""
        if not self.matchers:
            return records, []
        kept: list[Record] = []
        dropped: list[Record] = []
        for record in records:
            view = record.filtered or record.event
            hit = any(matcher.matches(view) for matcher in self.matchers)
            (kept if hit else dropped).append(record)
        return kept, dropped


def compile_filters(patterns: Sequence[str]) -> Filters:
    if not patterns:
        return Filters([])
    if _compile is None:
        raise MatcherMissing("event filtering (FilterCriteria)")
    return Filters([_compile(pattern) for pattern in patterns])
