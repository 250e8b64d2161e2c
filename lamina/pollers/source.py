"""What the framework knows of a mapping, and what a source adapter must do for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from lamina.identity import Identity, root_of


@dataclass(frozen=True)
class Mapping:
    """An event source mapping as its pollers follow it (Lambda owns the rows)."""

    uuid: str
    account_id: str
    region: str
    function_arn: str  # qualified when the mapping names a version or alias
    source_arn: str
    state: str  # AWS's: Creating, Enabled, Disabling, Disabled, Enabling, Updating, Deleting
    enabled: bool
    batch_size: int
    window_s: int  # MaximumBatchingWindowInSeconds
    filters: tuple[str, ...] = ()  # FilterCriteria patterns, JSON text
    report_item_failures: bool = False  # FunctionResponseTypes ReportBatchItemFailures
    max_concurrency: int | None = None  # ScalingConfig.MaximumConcurrency
    version: float = 0.0  # LastModified: changes with every update

    @property
    def polled(self) -> bool:
        """Whether its records should flow now (states in which AWS polls)."""
        return self.enabled and self.state in ("Creating", "Enabling", "Enabled", "Updating")


@dataclass
class Record:
    """One item of a batch: the record as the function receives it, and what the source needs
    to acknowledge it."""

    event: dict[str, Any]  # the record in the function's event
    size: int  # bytes it adds to the JSON payload
    item_id: str  # what ReportBatchItemFailures names it by (an SQS messageId)
    handle: Any  # the source's own token (an SQS receipt handle)
    filtered: dict[str, Any] = field(default_factory=dict)  # what FilterCriteria sees


class Source(Protocol):
    """A pull-based source, as one worker of a mapping sees it."""

    max_per_fetch: int  # most records one fetch returns
    hold_s: float  # how long fetched records stay ours before the source offers them again

    async def fetch(self, limit: int, wait_s: int) -> list[Record]:
        """Up to `limit` records, waiting up to `wait_s` seconds for the first. (An adapter
        finds what it needs on its first fetch: the queue's URL, its visibility timeout.)"""

    async def ack(self, records: list[Record]) -> None:
        """The records are done with: processed, or filtered out."""

    async def fail(self, records: list[Record]) -> None:
        """The records were not processed: the source offers them again by its own rules."""


def identity_for(mapping: Mapping) -> Identity:
    """Who the pollers act as: the mapping's account (Lamina does not enforce the execution
    role's permissions on these calls)."""
    return root_of(mapping.account_id)
