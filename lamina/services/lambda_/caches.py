"""Keeping this node's unpacked-code and merged-layer caches to what is still used: a sweep at
start, and after each change that can leave an entry unused (UpdateFunctionCode,
DeleteFunction, DeleteLayerVersion). What the store refers to is read first; what goes is then
chosen on the event loop, beside the live environments (lamina/execution/housekeeping.py)."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import sqlalchemy as sa

from lamina.execution.housekeeping import References, delete
from lamina.store.schema import lambda_function_versions as versions
from lamina.store.schema import lambda_layer_versions as layer_versions

if TYPE_CHECKING:
    from lamina.services.lambda_.catalog import FunctionCatalog

log = logging.getLogger("lamina.lambda")


class CacheSweeper:
    def __init__(self, functions: FunctionCatalog) -> None:
        self.functions = functions
        self.store = functions.store
        self.execution = functions.execution
        self.loop: asyncio.AbstractEventLoop | None = None
        self._pending = False  # a sweep is scheduled: later changes are covered by it

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        await self.sweep()

    def stop(self) -> None:
        self.loop = None

    def sweep_soon(self) -> None:
        """From any thread: sweep once the change just made is committed."""
        loop = self.loop
        if loop is None or loop.is_closed() or self._pending:
            return
        self._pending = True
        loop.call_soon_threadsafe(lambda: loop.create_task(self.sweep()))

    async def sweep(self) -> None:
        self._pending = False
        if self.execution is None:
            return
        try:
            references = await self.functions.read(self._references)
            taken = self.execution.sweep_caches(references)  # on the loop: no await in it
            if taken:
                await asyncio.get_running_loop().run_in_executor(None, delete, taken)
        except Exception:  # a cache left as it was is only disk space: say so, go on
            log.exception("sweeping the code caches failed")

    def _references(self) -> References:
        references = References()
        with self.store.read() as conn:
            for digest, config in conn.execute(
                sa.select(versions.c.code_digest, versions.c.config)
            ):
                references.code.add(digest)
                layers = tuple(layer["Digest"] for layer in (config or {}).get("Layers", ()))
                references.code.update(layers)
                references.layer_sets.add(layers)
            live_layers = sa.select(layer_versions.c.digest).where(
                layer_versions.c.deleted.is_(False)
            )
            references.code.update(digest for (digest,) in conn.execute(live_layers))
        return references
