"""A batch as Lambda gathers one: up to BatchSize records, and never more than the 6 MB an
invocation's payload may hold; a record that would pass either limit waits for the next batch."""

from __future__ import annotations

import json

from lamina.pollers.source import Record

PAYLOAD_LIMIT = 6 * 1024 * 1024  # a synchronous invocation's request, as Invoke enforces it
_ENVELOPE = len(b'{"Records": []}')
_SEPARATOR = len(b", ")


def record_size(event: dict) -> int:
    return len(json.dumps(event).encode())


class Batch:
    def __init__(self, batch_size: int, payload_limit: int = PAYLOAD_LIMIT) -> None:
        self.batch_size = batch_size
        self.payload_limit = payload_limit
        self.records: list[Record] = []
        self.size = _ENVELOPE

    @property
    def room(self) -> int:
        return self.batch_size - len(self.records)

    @property
    def full(self) -> bool:
        return self.room <= 0

    def add(self, record: Record) -> bool:
        """Take the record if it fits; False when it must wait for the next batch."""
        grown = self.size + record.size + (_SEPARATOR if self.records else 0)
        if self.full or (grown > self.payload_limit and self.records):
            return False
        self.records.append(record)
        self.size = grown
        return True


def payload_of(records: list[Record]) -> bytes:
    """The function's event: the records under "Records", as Lambda sends a batch."""
    return json.dumps({"Records": [record.event for record in records]}).encode()
