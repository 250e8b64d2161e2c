"""The floor: a do-nothing HTTP server on the same stack (uvicorn) that answers each request with
a recorded reply: the bytes Lamina itself gave for that path and query.

What a boto3 client achieves against it is the most any server could give that client: the
client sends and parses exactly what it does against Lamina, and the server does no work.

`--sqs` makes it a do-nothing SQS (JSON protocol): fixed answers to CreateQueue, GetQueueUrl,
SendMessage(Batch), ReceiveMessage and DeleteMessage(Batch), with the MD5s of the bodies sent
(the one piece of work an answer needs to be valid) and ten fixed messages to every receive."""

from __future__ import annotations

import hashlib
import json
import sys
import uuid
from pathlib import Path
from typing import Any

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


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


_BODY = "x" * 100
_RECEIVED = [
    {"MessageId": str(uuid.UUID(int=i)), "ReceiptHandle": f"floor-handle-{i}",
     "MD5OfBody": _md5(_BODY), "Body": _BODY}
    for i in range(10)
]  # fmt: skip


def sqs_answer(action: str, request: dict[str, Any]) -> dict[str, Any]:
    if action in ("CreateQueue", "GetQueueUrl"):
        return {"QueueUrl": f"http://127.0.0.1/000000000000/{request.get('QueueName', 'q')}"}
    if action == "SendMessage":
        return {"MD5OfMessageBody": _md5(request["MessageBody"]), "MessageId": str(uuid.uuid4())}
    if action == "SendMessageBatch":
        return {
            "Successful": [
                {"Id": entry["Id"], "MessageId": str(uuid.uuid4()),
                 "MD5OfMessageBody": _md5(entry["MessageBody"])}
                for entry in request["Entries"]
            ],
            "Failed": [],
        }  # fmt: skip
    if action == "ReceiveMessage":
        return {"Messages": _RECEIVED[: int(request.get("MaxNumberOfMessages", 1))]}
    if action == "DeleteMessageBatch":
        return {"Successful": [{"Id": entry["Id"]} for entry in request["Entries"]], "Failed": []}
    return {}  # DeleteMessage, PurgeQueue, DeleteQueue


def make_sqs_app():  # type: ignore[no-untyped-def]
    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        target = dict(scope["headers"]).get(b"x-amz-target", b"").decode()
        request = json.loads(b"".join(chunks) or b"{}")
        body = json.dumps(sqs_answer(target.rpartition(".")[2], request)).encode()
        headers = [
            (b"content-type", b"application/x-amz-json-1.0"),
            (b"content-length", b"%d" % len(body)),
            (b"x-amzn-requestid", str(uuid.uuid4()).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[2] == "--sqs":
        app = make_sqs_app()
    else:
        app = make_app(load(sys.argv[2] if len(sys.argv) > 2 else None))
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
                access_log=False)  # fmt: skip
