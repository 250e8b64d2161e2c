"""Reading a process tree from /proc: descendants and their memory use (Linux)."""

from __future__ import annotations

import contextlib
import os
import signal


def children(pid: int) -> list[int]:
    """Direct children of `pid` (over all its threads); [] once it is gone."""
    found: list[int] = []
    with contextlib.suppress(OSError):
        for tid in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{tid}/children") as f:
                found.extend(int(c) for c in f.read().split())
    return found


def descendants(pid: int) -> list[int]:
    """`pid` and everything below it that has not been reparented away."""
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children(current))
    return tree


def status_kib(pid: int, key: str) -> int:
    """A `kB` field of /proc/<pid>/status (VmRSS, VmHWM), 0 when unreadable."""
    with contextlib.suppress(OSError, ValueError), open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def tree_memory_bytes(pid: int) -> int:
    """A lower bound of the tree's peak memory now: the larger of the tree's current resident
    total and the highest high-water mark of any one process in it."""
    rss = hwm = 0
    for each in descendants(pid):
        fields = _status_kib(each, ("VmRSS", "VmHWM"))  # one read of each status file
        rss += fields.get("VmRSS", 0)
        hwm = max(hwm, fields.get("VmHWM", 0))
    return max(rss, hwm) * 1024


def _status_kib(pid: int, keys: tuple[str, ...]) -> dict[str, int]:
    found: dict[str, int] = {}
    with contextlib.suppress(OSError, ValueError), open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in keys:
                found[key] = int(value.split()[0])
                if len(found) == len(keys):
                    break
    return found


def kill_pid(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)
