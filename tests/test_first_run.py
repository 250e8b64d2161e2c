"""A new user's first hour: `lamina serve` with its defaults, from any working directory, is
refused until it answers, and a run leaves no process behind."""

from __future__ import annotations

import base64
import json
import socket
import subprocess
import sys
import time

import pytest

from tests.conftest import client, create_function, make_zip, wait_for
from tests.server import REPO, LaminaServer, leftover_processes

NODE_HANDLER = "exports.handler = async (event) => ({ node: event });\n"


class DefaultDirServer(LaminaServer):
    """`lamina serve --port N` with no --data-dir: the default `.lamina`, relative to `cwd`."""

    def command(self) -> list[str]:
        return [sys.executable, "-m", "lamina", "serve", "--port", str(self.port)]


def test_the_default_relative_data_dir_works_from_any_working_directory(tmp_path):
    lamina = DefaultDirServer(tmp_path / "unused", cwd=tmp_path)
    lamina.start()
    try:
        lam = client("lambda", lamina.url)
        create_function(
            lam,
            "hello",
            Handler="app.handler",
            Code={"ZipFile": make_zip({"app.py": "def handler(e, c):\n    return {'hi': e}\n"})},
        )
        answer = lam.invoke(FunctionName="hello", Payload=b'{"name": "you"}')
        assert "FunctionError" not in answer, answer["Payload"].read()
        assert json.loads(answer["Payload"].read()) == {"hi": {"name": "you"}}
    finally:
        lamina.stop()
    assert (tmp_path / ".lamina" / "lamina.db").is_file()
    assert f"sqlite at {tmp_path / '.lamina' / 'lamina.db'}" in lamina.output()


def test_the_port_refuses_connections_until_the_node_answers(tmp_path):
    """A client never sits on an accepted connection that does not answer: before the node
    serves, connecting is refused (and a client retries); once it accepts, it answers."""
    lamina = LaminaServer(tmp_path / "data")
    # Not lamina.start(): this test watches the start-up itself.
    process = subprocess.Popen(
        lamina.command(), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        refused = 0
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", lamina.port), timeout=5) as sock:
                    sock.settimeout(10)
                    sock.sendall(b"GET /_lamina/health HTTP/1.1\r\nHost: x\r\n\r\n")
                    first = sock.recv(64)
                break
            except ConnectionRefusedError:
                refused += 1
                time.sleep(0.01)
        else:
            pytest.fail("the server never accepted a connection")
        assert first.startswith(b"HTTP/1.1 200"), first  # accepted means answered at once
        assert refused > 0  # start-up takes long enough to be seen refusing
    finally:
        process.terminate()
        process.wait(15)


def _invoke_both_runtimes(url: str) -> None:
    lam = client("lambda", url)
    create_function(lam, "py")
    create_function(
        lam,
        "js",
        Runtime="nodejs20.x",
        Handler="index.handler",
        Code={"ZipFile": make_zip({"index.js": NODE_HANDLER})},
    )
    for name in ("py", "js"):
        answer = lam.invoke(FunctionName=name, Payload=b"{}", LogType="Tail")
        assert "FunctionError" not in answer, base64.b64decode(answer["LogResult"])


def _descendants() -> set[int]:
    return {pid for pid, _ in leftover_processes()}


@pytest.mark.parametrize("stop", ["stop", "kill"])
def test_a_stopped_or_killed_server_leaves_no_process_behind(tmp_path, stop):
    before = _descendants()
    lamina = LaminaServer(tmp_path / "data")
    lamina.start()
    try:
        _invoke_both_runtimes(lamina.url)
        assert len(_descendants() - before) > 2  # the server and its sandboxes
    finally:
        getattr(lamina, stop)()
    # Sandboxes end with their server (bubblewrap's --die-with-parent, or the process group).
    wait_for(lambda: not (_descendants() - before), timeout=20)


def test_a_failed_start_ends_the_child(tmp_path):
    before = _descendants()
    lamina = LaminaServer(tmp_path / "data")
    with pytest.raises(RuntimeError, match="did not become ready"):
        lamina.start(timeout=0)
    assert lamina.process is not None and lamina.process.poll() is not None
    wait_for(lambda: not (_descendants() - before), timeout=20)


def test_a_start_that_exits_says_why_and_leaves_nothing(tmp_path):
    before = _descendants()
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    lamina = LaminaServer(tmp_path / "data")
    lamina.port = busy.getsockname()[1]
    try:
        with pytest.raises(RuntimeError, match="cannot listen"):
            lamina.start()
    finally:
        busy.close()
    assert not (_descendants() - before)
