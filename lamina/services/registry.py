"""The services Lamina serves, each with its model, its operation router and its provider."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from botocore import xform_name
from botocore.model import ServiceModel

from lamina.protocol.errors import NotSupported
from lamina.protocol.models import load_service_model
from lamina.protocol.routing import OperationRouter


class Provider:
    """Base of every service provider. A method named like the operation in snake_case serves it,
    e.g. `create_function(ctx, params) -> dict`; it may be sync (run in a thread) or async."""

    service_name: str = ""

    async def start(self) -> None:
        """Begin background work on the server's event loop (once, before serving)."""

    async def stop(self) -> None:
        """End background work on the event loop (once, after serving)."""

    def close(self) -> None:
        """Release what the provider holds; called once at shutdown."""

    def reset(self) -> None:
        """Forget in-memory state after the store was wiped (POST /_lamina/reset)."""

    def params_from_request(self, operation: str, request: Any, params: dict[str, Any]) -> None:
        """Complete a request's params from what its protocol does not parse: SQS's query
        requests POSTed to a queue's URL name the queue by the path."""


F = TypeVar("F", bound=Callable[..., Any])


def store_read(method: F) -> F:
    """Marks a provider method that only reads the store, briefly and a bounded amount. Where
    the store's reads never wait (SQLite in WAL mode), the dispatcher runs it on the event loop:
    handing it to a thread costs more than the read itself."""
    method.store_read = True  # type: ignore[attr-defined]
    return method


@dataclass
class Handler:
    call: Callable[..., Any]
    is_async: bool
    store_read: bool = False


@dataclass
class Service:
    name: str  # botocore's name for it, e.g. 'lambda'
    provider: Provider
    model: ServiceModel = field(init=False)

    def __post_init__(self) -> None:
        self.model = load_service_model(self.name)
        self._handlers: dict[str, Handler] = {}

    @cached_property
    def router(self) -> OperationRouter:
        return OperationRouter(self.model)

    @property
    def signing_name(self) -> str:
        return str(self.model.metadata.get("signingName") or self.model.endpoint_prefix)

    def handler(self, operation: str) -> Handler:
        handler = self._handlers.get(operation)
        if handler is None:
            method = getattr(self.provider, xform_name(operation), None)
            if method is None:
                raise NotSupported(self.model.metadata.get("serviceId", self.name), operation)
            is_async = inspect.iscoroutinefunction(method)
            handler = Handler(method, is_async, getattr(method, "store_read", False))
            self._handlers[operation] = handler
        return handler

    def implemented(self) -> list[str]:
        return [op for op in self.model.operation_names if hasattr(self.provider, xform_name(op))]
