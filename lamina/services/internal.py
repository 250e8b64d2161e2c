"""The in-process call path between services (DESIGN decision 10): a service that needs
another calls that service's operation here, with the same validation and provider as an
HTTP request and the caller's account, region and identity, without HTTP or serialization.

Parameters and answers are the providers' own dicts (what the parser hands a provider and
what it returns); errors are the ServiceErrors the provider raises. Two doors: `call` from a
provider's thread (synchronous operations only), `call_async` from the event loop (any
operation: a synchronous one runs on the node's provider threads, as an HTTP request's would).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any

from lamina import ids
from lamina.context import RequestContext
from lamina.identity import Identity
from lamina.protocol.validate import validate_input

if TYPE_CHECKING:
    from lamina.services.registry import Handler, Service


class InternalClient:
    def __init__(
        self,
        services: Callable[[], list[Service]],
        base_url: str = "",
        executor: Executor | None = None,
    ) -> None:
        self._services = services  # read when called: providers are made before the list
        self.base_url = base_url
        self.executor = executor  # None: the loop's default executor

    def service(self, name: str) -> Service | None:
        return next((s for s in self._services() if s.name == name), None)

    def serves(self, name: str) -> bool:
        return self.service(name) is not None

    def call(
        self,
        service_name: str,
        operation_name: str,
        params: dict[str, Any],
        *,
        identity: Identity,
        region: str,
        request_id: str | None = None,
    ) -> dict[str, Any]:
        handler, ctx = self._prepare(
            service_name, operation_name, params, identity, region, request_id
        )
        if handler.is_async:
            raise TypeError(f"{service_name}:{operation_name} is async; use call_async")
        result: dict[str, Any] = handler.call(ctx, params) or {}
        return result

    async def call_async(
        self,
        service_name: str,
        operation_name: str,
        params: dict[str, Any],
        *,
        identity: Identity,
        region: str,
        request_id: str | None = None,
    ) -> dict[str, Any]:
        handler, ctx = self._prepare(
            service_name, operation_name, params, identity, region, request_id
        )
        result: dict[str, Any] | None
        if handler.is_async:
            result = await handler.call(ctx, params)
        else:
            loop = asyncio.get_running_loop()
            result = await loop.run_in_executor(self.executor, handler.call, ctx, params)
        return result or {}

    def _prepare(
        self,
        service_name: str,
        operation_name: str,
        params: dict[str, Any],
        identity: Identity,
        region: str,
        request_id: str | None,
    ) -> tuple[Handler, RequestContext]:
        service = self.service(service_name)
        if service is None:
            raise LookupError(f"Lamina serves no service {service_name!r}")
        operation = service.model.operation_model(operation_name)
        validate_input(operation, params, protocol=service.model.metadata.get("protocol"))
        ctx = RequestContext(
            account_id=identity.account_id,
            region=region,
            request_id=request_id or ids.request_id(),
            service=service_name,
            operation=operation_name,
            base_url=self.base_url,
            access_key=identity.access_key,
            identity=identity,
        )
        return service.handler(operation_name), ctx
