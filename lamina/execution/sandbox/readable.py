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


def readable(fd: int | _HasFileno, timeout_s: float | None) -> bool:
    """Whether `fd` is readable (data, end of file or a hang-up) within `timeout_s` seconds
    (None: as long as it takes; 0: now)."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(None if timeout_s is None else max(0.0, timeout_s) * 1000))
