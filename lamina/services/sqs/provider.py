"""Amazon SQS: the operations, gathered from one module per concept.

Queues, attributes, tags and permissions (queue_operations.py) run on the provider threads;
the message operations a busy queue lives on (sending.py, visibility.py) are async, on the
event loop, and write through one group-commit writer, so many sends share a commit.
"""

from __future__ import annotations

import asyncio
from typing import Any

from lamina.config import Settings
from lamina.protocol.http import HttpRequest
from lamina.services.registry import Provider
from lamina.services.sqs.move_tasks import MoveTaskOperations
from lamina.services.sqs.queue_operations import QueueOperations
from lamina.services.sqs.queues import QueueCache
from lamina.services.sqs.sending import SendOperations
from lamina.services.sqs.sweeper import Sweeper
from lamina.services.sqs.urls import parse_queue_url
from lamina.services.sqs.visibility import VisibilityOperations
from lamina.services.sqs.waiting import Waiters
from lamina.store import Store
from lamina.store.batch import BatchWriter


class SqsProvider(
    QueueOperations, SendOperations, VisibilityOperations, MoveTaskOperations, Provider
):
    service_name = "sqs"

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.writer = BatchWriter(store, "sqs-writer")
        self.cache = QueueCache()
        self.waiters = Waiters()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.sweeper = Sweeper(store, float(settings.extra.get("sqs_sweep_seconds", 60)))
        self.init_move_tasks()

    def params_from_request(
        self, operation: str, request: HttpRequest, params: dict[str, Any]
    ) -> None:
        """A query request POSTed to a queue's URL names its queue by the path."""
        if "QueueUrl" in params or request.path in ("", "/"):
            return
        try:
            parse_queue_url(request.path)
        except Exception:
            return
        if operation_takes_queue_url(self, operation):
            params["QueueUrl"] = request.path

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.sweeper.start()
        self.start_move_tasks()

    async def stop(self) -> None:
        await self.stop_move_tasks()
        self.sweeper.stop()

    def reset(self) -> None:
        self.cache.clear()

    def close(self) -> None:
        self.sweeper.stop()
        self.writer.close()


def operation_takes_queue_url(provider: SqsProvider, operation: str) -> bool:
    from lamina.protocol.models import load_service_model

    shape = load_service_model("sqs").operation_model(operation).input_shape
    return shape is not None and "QueueUrl" in shape.members
