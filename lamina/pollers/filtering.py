"""FilterCriteria: which records of a batch reach the function. A record matches when any of
the mapping's patterns matches it (Lambda ORs its filters); those that match none are
acknowledged unseen, as Lambda deletes them from an SQS queue. The patterns are Lambda's dialect
of the event-pattern language, compiled once by the shared matcher (lamina/patterns)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from lamina.patterns import Dialect, compile_pattern
from lamina.pollers.source import Record


class Matcher(Protocol):
    def matches(self, event: Any) -> bool: ...


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
    """Raises lamina.patterns.PatternError for a pattern Lambda refuses."""
    return Filters([compile_pattern(pattern, Dialect.LAMBDA) for pattern in patterns])
