"""Hot-path identifiers: well-formed, unique, and not shared by a forked child."""

from __future__ import annotations

import os
import re
import uuid

from lamina import ids

_TRACE = re.compile(r"^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$")


def test_request_ids_are_canonical_version_4_uuids() -> None:
    seen = set()
    for _ in range(2000):
        text = ids.request_id()
        parsed = uuid.UUID(text)
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
        assert str(parsed) == text
        seen.add(text)
    assert len(seen) == 2000


def test_trace_headers_have_x_rays_shape() -> None:
    headers = {ids.trace_header() for _ in range(100)}
    assert len(headers) == 100
    assert all(_TRACE.match(header) for header in headers)


def test_a_forked_child_does_not_repeat_its_parents_ids() -> None:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: send one id and leave at once
        os.write(write, ids.request_id().encode())
        os._exit(0)
    os.close(write)
    child = os.read(read, 64).decode()
    os.close(read)
    os.waitpid(pid, 0)
    assert child != ids.request_id()
    assert uuid.UUID(child).version == 4
