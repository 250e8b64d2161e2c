"""Waiting on a descriptor numbered past select()'s 1,023, as a node with a few hundred
environments holds (the zygote's forks waited on one and failed)."""

from __future__ import annotations

import os
import socket
import threading

from lamina.execution.sandbox.readable import readable


def high(sock: socket.socket) -> socket.socket:
    """The same socket at a descriptor number past FD_SETSIZE."""
    fd = os.dup2(sock.fileno(), 1500)
    return socket.socket(fileno=fd)


def test_a_descriptor_past_1023_is_waited_on():
    ours, theirs = socket.socketpair()
    waited = high(ours)
    try:
        assert waited.fileno() >= 1024
        assert readable(waited, 0) is False
        threading.Timer(0.05, theirs.send, [b"ready"]).start()
        assert readable(waited, 30) is True
        assert waited.recv(16) == b"ready"
    finally:
        for each in (waited, ours, theirs):
            each.close()


def test_an_ended_peer_is_readable():
    ours, theirs = socket.socketpair()
    waited = high(ours)
    try:
        theirs.close()
        assert readable(waited, 0) is True  # end of file: the environment's init is gone
        assert waited.recv(4) == b""
    finally:
        waited.close()
        ours.close()


def test_a_timeout_passes_without_data():
    ours, theirs = socket.socketpair()
    try:
        assert readable(ours, 0.01) is False
    finally:
        ours.close()
        theirs.close()
