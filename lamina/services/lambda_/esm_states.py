"""Event source mappings as the pollers (lamina/pollers) see them: what they read of the
mappings, and how a mapping's passing state is settled once they follow the change."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from lamina.pollers import leases
from lamina.pollers.source import Mapping
from lamina.services import tagging
from lamina.services.lambda_ import event_source_mappings as rows
from lamina.services.lambda_.esm_settings import patterns_of
from lamina.services.lambda_.event_source_mappings import EventSourceMapping

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from lamina.pollers.fleet import Fleet
    from lamina.services.lambda_.catalog import FunctionCatalog
    from lamina.store.batch import BatchWriter


def followed(mapping: EventSourceMapping) -> Mapping:
    """The mapping as its pollers follow it."""
    config = mapping.config
    return Mapping(
        uuid=mapping.uuid,
        account_id=mapping.account_id,
        region=mapping.region,
        function_arn=mapping.function_arn,
        source_arn=mapping.event_source_arn,
        state=mapping.state,
        enabled=mapping.enabled,
        batch_size=config["BatchSize"],
        window_s=config["MaximumBatchingWindowInSeconds"],
        filters=patterns_of(config),
        report_item_failures="ReportBatchItemFailures" in config.get("FunctionResponseTypes", []),
        max_concurrency=config.get("ScalingConfig", {}).get("MaximumConcurrency"),
        version=mapping.last_modified,
    )


class EventSourceMappingStates:
    """What the pollers see of the mappings; EventSourceMappings adds the operations."""

    def __init__(self, functions: FunctionCatalog, writer: BatchWriter) -> None:
        self.functions = functions
        self.store = functions.store
        self.writer = writer
        self.pollers: Fleet | None = None  # polls the mappings' sources, once started

    def poke_pollers(self) -> None:
        if self.pollers is not None:
            self.pollers.poke()

    async def load_mappings(self) -> list[Mapping]:
        return [followed(m) for m in await self.functions.read(self._every_mapping)]

    def _every_mapping(self) -> list[EventSourceMapping]:
        with self.store.read() as conn:
            return rows.every(conn)

    async def settle_mapping(self, mapping: Mapping) -> None:
        """Move a mapping on from a passing state once the pollers follow it: Creating,
        Enabling and Updating end Enabled (or Disabled); Disabling ends, and Deleting removes
        the mapping, once no node polls it any more."""

        def settle(conn: Connection) -> None:
            now = time.time()
            current = rows.get(conn, mapping.uuid)
            if current is None or current.state != mapping.state:
                return
            polled = leases.live(conn, mapping.uuid, now)
            if current.state == "Deleting":
                if not polled:
                    rows.delete(conn, current.uuid)
                    leases.forget(conn, current.uuid)
                    tagging.remove_tags(conn, current.arn)
                return
            # Disabled is reached once no node polls it any more.
            settled = "Disabling" if polled else "Disabled"
            if current.enabled:
                settled = "Enabled"
            if settled != current.state:
                rows.set_state(conn, current.uuid, current.state, settled)

        await self.writer.write(settle)
