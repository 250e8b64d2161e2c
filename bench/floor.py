"""The floor: a do-nothing HTTP server on the same stack (uvicorn) that answers each request with
a recorded reply: the bytes Lamina itself gave for that path and query.

What a boto3 client achieves against it is the most any server could give that client: the
client sends and parses exactly what it does against Lamina, and the server does no work."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import uvicorn

# Used when no recording is given: a GetFunction-shaped reply.
DEFAULT = json.dumps(
    {"Configuration": {"FunctionName": "bench", "Runtime": "python3.12", "State": "Active"}}
).encode()


def make_app(replies: dict[str, bytes]):  # type: ignore[no-untyped-def]
    fallback = next(iter(replies.values()), DEFAULT)

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        key = scope["path"] + (
            "?" + scope["query_string"].decode() if scope["query_string"] else ""
        )
        body = replies.get(key, fallback)
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


def load(path: str | None) -> dict[str, bytes]:
    if not path:
        return {}
    recorded = json.loads(Path(path).read_text())
    return {key: body.encode() for key, body in recorded.items()}


if __name__ == "__main__":
    app = make_app(load(sys.argv[2] if len(sys.argv) > 2 else None))
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
                access_log=False)  # fmt: skip
