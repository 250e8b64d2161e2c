"""What accepting a function's log lines costs: LogSink.write_many in-process, on SQLite.

Function logs reach the store as the execution layer's batches (logbatch.py): every
FLUSH_AFTER_S, one write_many holding every stream's pending lines, three lines an invoke
(START, END, REPORT). Two shapes, EVENTS events each, best of ROUNDS:
- busy: 16 streams, 10 invokes each per flush (about what `wrk -c64` gives per flush);
- sparse: 1 stream, 1 invoke per flush (the worst case for packing events together).
Reported: µs per event, and rows written per event (counted from the INSERT statements).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event

from lamina.services.logs.sink import LogSink
from lamina.store import open_store

EVENTS = 10_000
ROUNDS = 3
SHAPES = {"busy": (16, 10), "sparse": (1, 1)}  # streams per flush, invokes per stream


def _flushes(streams: int, invokes: int) -> list[dict[Any, list[tuple[int, str]]]]:
    now = int(time.time() * 1000)
    flushes, made = [], 0
    while made < EVENTS:
        batch = {}
        for s in range(streams):
            lines = []
            for _ in range(invokes):
                rid = f"{made:08d}-0000-4000-8000-{s:012d}"
                lines += [
                    (now, f"START RequestId: {rid} Version: $LATEST"),
                    (now + 1, f"END RequestId: {rid}"),
                    (now + 1, f"REPORT RequestId: {rid}\tDuration: 1.02 ms\tBilled Duration: 2 ms"),
                ]
                made += 3
            batch[("000000000000", "us-east-1", "/aws/lambda/bench", f"2026/[$LATEST]{s}")] = lines
        flushes.append(batch)
        now += 50
    return flushes


def _one(shape: str) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{Path(tmp) / 'lamina.db'}", Path(tmp))
        rows = [0]

        @event.listens_for(store.engine, "before_cursor_execute")
        def _count(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
            if statement.startswith("INSERT"):
                rows[0] += len(parameters) if executemany else 1

        flushes = _flushes(*SHAPES[shape])
        sink = LogSink(store)
        sink.write_many(flushes[0])  # warm: the group and streams exist, statements compiled
        rows[0] = 0
        began = time.perf_counter()
        for batch in flushes[1:]:
            sink.write_many(batch)
        seconds = time.perf_counter() - began
        events = sum(len(lines) for batch in flushes[1:] for lines in batch.values())
        store.close()
    return seconds * 1e6 / events, rows[0] / events


def run() -> None:
    print(f"\nLog sink, SQLite in-process: {EVENTS} function-log events, best of {ROUNDS}")
    for shape, (streams, invokes) in SHAPES.items():
        results = [_one(shape) for _ in range(ROUNDS)]
        us, rows = min(results)
        print(
            f"  {shape:6} ({streams} streams x {invokes} invokes a flush): "
            f"{us:6.1f} µs/event, {rows:.3f} rows/event"
        )


if __name__ == "__main__":
    run()
