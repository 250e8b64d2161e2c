"""The floor: a do-nothing HTTP server on the same stack (uvicorn), answering a canned reply.

What a boto3 client achieves against it is the most any server could give that client."""

from __future__ import annotations

import json
import sys

import uvicorn

CANNED = json.dumps(
    {
        "Configuration": {
            "FunctionName": "bench",
            "FunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:bench",
            "Runtime": "python3.12",
            "Handler": "handler.handler",
            "MemorySize": 128,
            "Timeout": 3,
            "State": "Active",
        },
        "Functions": [],
    }
).encode()


async def app(scope, receive, send):  # type: ignore[no-untyped-def]
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(CANNED))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": CANNED})


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
                access_log=False)  # fmt: skip
