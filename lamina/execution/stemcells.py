"""Stem cells: generic runtime processes started ahead of need, already inside their sandbox
with the runtime and bootstrap loaded, specialized to a function when one is wanted
(DESIGN decision 6). A cold start then costs a specialization, not a sandbox and an
interpreter start.

Cells are kept per StemKey (runtime, memory, ephemeral storage, network: fixed when a sandbox
starts, so a VPC function only ever gets a cell on the VPC network) for the keys recently asked
for, topped up by one spawner thread after each one is taken.
A Python cell is a fork of its interpreter's zygote (sandbox/zygote.py), about 1 ms, so one
spawner keeps up with bursts and an invoke that finds no cell forks its own at once; a Node.js
cell is still a new node in a new bwrap (node cannot fork once its threads have started).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor

from lamina.execution import runtimes
from lamina.execution.environment import ExecutionEnvironment
from lamina.execution.launcher import Launcher, StemKey

log = logging.getLogger("lamina.execution")


class StemCells:
    def __init__(self, launcher: Launcher, per_key: int = 2, max_keys: int = 4) -> None:
        self.launcher = launcher
        self.per_key = per_key
        self.max_keys = max_keys
        self._cells: OrderedDict[StemKey, list[ExecutionEnvironment]] = OrderedDict()
        self._lock = threading.Lock()
        self._filled = threading.Condition(self._lock)  # notified when a cell is added
        self._spawner = ThreadPoolExecutor(1, thread_name_prefix="lamina-stemcells")
        self._closed = False

    @staticmethod
    def supports(key: StemKey) -> bool:
        """Built-in runtimes only: a custom runtime's bootstrap is the function's own code."""
        return runtimes.family(key.runtime) in ("python", "nodejs")

    def take(self, key: StemKey) -> ExecutionEnvironment | None:
        """A live cell for `key`, if one is ready; a replacement is started either way."""
        if not self.supports(key):
            return None
        found = None
        with self._lock:
            cells = self._cells.get(key, [])
            while cells and found is None:
                cell = cells.pop(0)  # the oldest: most surely done starting
                if cell.process is not None and cell.process.poll() is None:
                    found = cell
                else:
                    cell.destroy()
        self.prewarm(key)
        return found

    def prewarm(self, key: StemKey) -> None:
        """Have `per_key` cells ready for `key` soon (thread-safe; returns at once)."""
        if self._closed or not self.supports(key):
            return
        with self._lock:
            self._cells.setdefault(key, [])
            self._cells.move_to_end(key)
            evicted = []
            while len(self._cells) > self.max_keys:  # the least recently wanted key goes
                _, cells = self._cells.popitem(last=False)
                evicted += cells
        for cell in evicted:
            cell.destroy()
        with contextlib.suppress(RuntimeError):  # shut down meanwhile: nothing to start
            self._spawner.submit(self._fill, key)

    def _fill(self, key: StemKey) -> None:
        while not self._closed:
            with self._lock:
                cells = self._cells.get(key)
                if cells is None or len(cells) >= self.per_key:
                    return
            try:
                cell = self.launcher.stem(key)
                cell.spawn(self.launcher.backend)
            except Exception:
                log.exception("could not start a stem cell for %s", key.runtime)
                return
            with self._lock:
                cells = self._cells.get(key)
                if cells is None or self._closed:
                    cell.destroy()
                    return
                cells.append(cell)
                self._filled.notify_all()

    def wait_ready(self, keys: list[StemKey], timeout_s: float) -> bool:
        """Block until every key has a cell (prewarm() them first); False past `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        with self._lock:
            while not all(self._cells.get(key) for key in keys):
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    return False
                self._filled.wait(left)
        return True

    def close(self) -> None:
        self._closed = True
        with self._lock:
            self._filled.notify_all()
        self._spawner.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            cells = [cell for group in self._cells.values() for cell in group]
            self._cells.clear()
        for cell in cells:
            cell.destroy()
