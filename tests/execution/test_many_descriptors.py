"""A node holding more than 1,024 file descriptors (a few hundred environments, or as many
open connections) still starts new environments: each one's channel is passed to it at a
number of its own, not at the node's number past the environment's descriptor limit."""

from __future__ import annotations

import contextlib
import json
import resource
import socket
from urllib.parse import urlsplit

import pytest

from tests.conftest import client, create_function, make_zip, own_server, wait_for

CONNECTIONS = 1100
ECHO = "def handler(event, context):\n    return {'got': event}\n"


@pytest.fixture
def descriptors():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = CONNECTIONS + 400
    if hard != resource.RLIM_INFINITY and hard < wanted:
        pytest.skip(f"this process may open only {hard} files")
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_new_environments_start_while_the_node_holds_over_1024_descriptors(tmp_path, descriptors):
    with own_server(tmp_path / "data", "sqlite", "lamina_many_descriptors") as lamina:
        functions = client("lambda", lamina.url)
        names = [f"fd-{index}" for index in range(6)]
        for name in names:
            create_function(functions, name, Code={"ZipFile": make_zip({"handler.py": ECHO})})
        for name in names:
            wait_for(
                lambda name=name: (
                    functions.get_function(FunctionName=name)["Configuration"]["State"] == "Active"
                )
            )
        address = urlsplit(lamina.url)
        held: list[socket.socket] = []
        try:
            for _ in range(CONNECTIONS):  # each one a descriptor in the node, kept open
                held.append(socket.create_connection((address.hostname, address.port), 30))
            # A request on a connection made after them: the node has accepted them all.
            with socket.create_connection((address.hostname, address.port), 30) as probe:
                probe.sendall(
                    b"GET /_lamina/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                )
                assert probe.recv(64).startswith(b"HTTP/1.1 200")
            # More new environments than stem cells were ready: some are forked now, with
            # the node's descriptors past 1,023.
            for index, name in enumerate(names):
                answer = functions.invoke(FunctionName=name, Payload=json.dumps({"n": index}))
                body = answer["Payload"].read()
                assert "FunctionError" not in answer, body
                assert json.loads(body) == {"got": {"n": index}}
        finally:
            for sock in held:
                with contextlib.suppress(OSError):
                    sock.close()
