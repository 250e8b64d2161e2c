"""Other services call SQS in-process (lamina.services.internal): QueueUrls with any host or
none, ReceiveMessage's long poll awaited on the event loop, answers as the provider gives."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from lamina.config import Settings
from lamina.identity import root_of
from lamina.protocol.errors import ServiceError
from lamina.services.internal import InternalClient
from lamina.services.registry import Service
from lamina.services.sqs.provider import SqsProvider
from lamina.store import open_store


async def _scenario(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir).resolved()
    store = open_store(settings.store_url, settings.data_dir)
    provider = SqsProvider(store, settings)
    service = Service("sqs", provider)
    internal = InternalClient(lambda: [service], "http://127.0.0.1:4566")
    me = root_of("123456789012")
    await provider.start()
    try:

        async def call(operation: str, params: dict) -> dict:
            return await internal.call_async(
                "sqs", operation, params, identity=me, region="eu-west-1"
            )

        url = (await call("CreateQueue", {"QueueName": "dest"}))["QueueUrl"]
        assert url == "http://sqs.eu-west-1.localhost:4566/123456789012/dest"
        found = await call("GetQueueUrl", {"QueueName": "dest"})
        assert found["QueueUrl"] == url
        # a URL without a host, as a destination ARN turned into a path gives it
        sent = await call(
            "SendMessage",
            {
                "QueueUrl": "/123456789012/dest",
                "MessageBody": "{}",
                "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}},
            },
        )
        assert sent["MessageId"]
        got = await call(
            "ReceiveMessage",
            {"QueueUrl": url, "MaxNumberOfMessages": 10, "MessageAttributeNames": ["All"]},
        )
        assert got["Messages"][0]["MessageAttributes"]["k"]["StringValue"] == "v"

        # a long poll answered by a send made while it waits
        async def send_later() -> None:
            await asyncio.sleep(0.5)
            await call("SendMessage", {"QueueUrl": url, "MessageBody": "late"})

        started = time.monotonic()
        waiting = asyncio.ensure_future(
            call("ReceiveMessage", {"QueueUrl": url, "WaitTimeSeconds": 10})
        )
        await send_later()
        answer = await waiting
        assert [m["Body"] for m in answer["Messages"]] == ["late"]
        assert time.monotonic() - started < 5

        handles = [
            {"Id": "a", "ReceiptHandle": got["Messages"][0]["ReceiptHandle"]},
            {"Id": "b", "ReceiptHandle": answer["Messages"][0]["ReceiptHandle"]},
        ]
        deleted = await call("DeleteMessageBatch", {"QueueUrl": url, "Entries": handles})
        assert [e["Id"] for e in deleted["Successful"]] == ["a", "b"]
        attributes = await call("GetQueueAttributes", {"QueueUrl": url, "AttributeNames": ["All"]})
        assert attributes["Attributes"]["ApproximateNumberOfMessagesNotVisible"] == "0"
        with pytest.raises(ServiceError) as excinfo:
            await call("SendMessage", {"QueueUrl": "/123456789012/none", "MessageBody": "x"})
        assert excinfo.value.code == "QueueDoesNotExist"
    finally:
        await provider.stop()
        provider.close()
        store.close()


def test_in_process_calls(tmp_path):
    asyncio.run(_scenario(tmp_path / "data"))
