"""Waiting for one file descriptor to become readable (a status, an answer, a process's end).

select.select() refuses any descriptor past 1,023 (FD_SETSIZE), and a node with a few hundred
environments holds more than a thousand (a channel, a log pipe, a pidfd and a status socket
each): the next fork then failed with "filedescriptor out of range in select()". poll() has no
such limit."""

from __future__ import annotations

import select
from typing import Protocol


class _HasFileno(Protocol):
    def fileno(self) -> int: ...


class Watched:
    """One descriptor waited on again and again (a forked environment's status socket, looked
    at on every warm invoke): its poll object made once."""

    __slots__ = ("_poller",)

    def __init__(self, fd: int | _HasFileno) -> None:
        self._poller = select.poll()
        self._poller.register(fd, select.POLLIN)

    def readable(self, timeout_s: float | None) -> bool:
        """Whether it is readable (data, end of file or a hang-up) within `timeout_s` seconds
        (None: as long as it takes; 0: now)."""
        wait_ms = None if timeout_s is None else max(0.0, timeout_s) * 1000
        return bool(self._poller.poll(wait_ms))


def readable(fd: int | _HasFileno, timeout_s: float | None) -> bool:
    """Whether `fd` is readable within `timeout_s` seconds (see Watched.readable)."""
    return Watched(fd).readable(timeout_s)
