"""The probe of issue 14: one function, invoked through boto3 as a user's code runs, tries every
way out of its execution environment that the sandbox promises to close, on both store
engines: the store, another service on the node's loopback, Lamina's own reset, ptrace, mount,
a fork bomb; and it finds itself sbx_user1051. Each piece is tested in depth elsewhere
(tests/execution/test_identity.py, test_seccomp.py, test_sandbox_network.py,
tests/edge/test_admin_from_sandboxes.py); this is the whole promise in one place."""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

from tests.conftest import PG_URL, create_function, make_zip
from tests.execution.sandboxing import CONNECT, needs_sandbox_network
from tests.execution.test_identity import WHO_AND_WHAT

pytestmark = needs_sandbox_network

PROBE = (
    WHO_AND_WHAT
    + CONNECT
    + """
import urllib.error, urllib.request

def opened(path):
    try:
        open(path, "rb").close()
        return "opened"
    except OSError as e:
        return errno.errorcode[e.errno]

def reset():
    url = os.environ["AWS_ENDPOINT_URL"] + "/_lamina/reset"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=5) as r:
            return {"status": r.status}
    except urllib.error.HTTPError as e:
        return {"status": e.code, "body": json.loads(e.read() or b"{}")}

def handler(event, context):
    return {
        **probe(),
        "store": connect(*event["store"]) if event["store"] else opened(event["store_file"]),
        "loopback": connect("127.0.0.1", event["loopback_port"]),
        "reset": reset(),
        "bomb": fork_bomb(cap=1500, seconds=20.0),
    }
"""
)


def test_a_function_finds_every_way_out_closed(lambda_client, server, engine):
    if engine == "postgresql":
        assert PG_URL
        url = urlsplit(PG_URL)
        store, store_file = [url.hostname or "127.0.0.1", url.port or 5432], None
    else:  # the store is a file in the data directory, which the sandbox must not see
        store, store_file = None, str(server.data_dir / "lamina.db")
    with socket.socket() as other:  # another service on the node's loopback
        other.bind(("127.0.0.1", 0))
        other.listen(8)
        create_function(
            lambda_client, "probe", Handler="app.handler", Timeout=60, MemorySize=512,
            Code={"ZipFile": make_zip({"app.py": PROBE})},
        )  # fmt: skip
        event = {"store": store, "store_file": store_file,
                 "loopback_port": other.getsockname()[1]}  # fmt: skip
        answer = lambda_client.invoke(FunctionName="probe", Payload=json.dumps(event).encode())
    seen = json.loads(answer["Payload"].read())
    assert "FunctionError" not in answer, seen
    assert seen["store"] in ("ECONNREFUSED", "ENOENT"), seen["store"]
    assert seen["loopback"] == "ECONNREFUSED", seen["loopback"]
    assert seen["reset"]["status"] == 403
    assert seen["reset"]["body"]["__type"].endswith("AccessDeniedException"), seen["reset"]
    assert (seen["uid"], seen["gid"], seen["user"]) == (993, 990, "sbx_user1051")
    assert seen["ptrace"] == "EPERM" and seen["mount"] == "EPERM"
    assert seen["bomb"]["error"] == "EAGAIN" and seen["bomb"]["forked"] < 1024, seen["bomb"]
    # The reset was refused, so the function it would have wiped is still there.
    assert lambda_client.get_function(FunctionName="probe")["Configuration"]["State"]
