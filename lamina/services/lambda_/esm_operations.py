"""Lambda's event source mappings: Create, Get, Update, Delete and ListEventSourceMappings. The
API answers at once, in a passing state (Creating, Updating, Enabling, Disabling, Deleting), as
AWS does; the pollers settle the state once they follow the change (esm_states.py)."""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING, Any

from lamina.protocol.errors import ServiceError
from lamina.services import tagging
from lamina.services.lambda_ import event_source_mappings as rows
from lamina.services.lambda_.arns import parse_function
from lamina.services.lambda_.errors import invalid_parameter, not_supported
from lamina.services.lambda_.esm_settings import (
    check_settings,
    check_source,
    queue_missing,
    refuse_others,
    settings_of,
    timeout_too_long,
)
from lamina.services.lambda_.esm_states import EventSourceMappingStates
from lamina.services.lambda_.event_source_mappings import EventSourceMapping
from lamina.services.lambda_.paging import Paging
from lamina.services.lambda_.tags import check_tags
from lamina.services.registry import store_read

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from lamina.context import RequestContext
    from lamina.services.lambda_.catalog import FunctionCatalog
    from lamina.store.batch import BatchWriter

REASON = "USER_INITIATED"
DEFAULT_MAX_ITEMS = 100


def not_found() -> ServiceError:
    return ServiceError(
        "ResourceNotFoundException",
        "The resource you requested does not exist.",
        404,
        Type="User",
    )


def duplicate(source_arn: str, function_name: str, existing: str) -> ServiceError:
    return ServiceError(
        "ResourceConflictException",
        f'An event source mapping with SQS arn (" {source_arn} ") and function '
        f'(" {function_name} ") already exists. Please update or delete the existing mapping '
        f"with UUID {existing}",
        409,
        Type="User",
    )


def in_use() -> ServiceError:
    return ServiceError(
        "ResourceInUseException",
        "Cannot update the event source mapping because it is in use.",
        400,
        Type="User",
    )


def present(mapping: EventSourceMapping) -> dict[str, Any]:
    config = mapping.config
    answer: dict[str, Any] = {
        "UUID": mapping.uuid,
        "BatchSize": config["BatchSize"],
        "MaximumBatchingWindowInSeconds": config["MaximumBatchingWindowInSeconds"],
        "EventSourceArn": mapping.event_source_arn,
        "FunctionArn": mapping.function_arn,
        "LastModified": mapping.last_modified,
        "State": mapping.state,
        "StateTransitionReason": REASON,
        "FunctionResponseTypes": list(config.get("FunctionResponseTypes", [])),
        "EventSourceMappingArn": mapping.arn,
    }
    for optional in ("FilterCriteria", "ScalingConfig"):
        if optional in config:
            answer[optional] = config[optional]
    return answer


class EventSourceMappings(EventSourceMappingStates):
    def __init__(self, functions: FunctionCatalog, writer: BatchWriter) -> None:
        super().__init__(functions, writer)
        self.internal = functions.internal

    async def create_event_source_mapping(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        source_arn = check_source(params)
        refuse_others(params)
        settings = settings_of(params)
        check_settings(settings, fifo=source_arn.endswith(".fifo"))
        tags = params.get("Tags") or {}
        check_tags(tags)
        ref = parse_function(ctx, params["FunctionName"])
        function = await self.functions.read(self.functions.find_for_invoke, ref)
        await self.check_queue(ctx, source_arn, function.config["Timeout"])
        enabled = params.get("Enabled", True)
        now = time.time()
        mapping = EventSourceMapping(
            uuid=str(uuid.uuid4()),
            account_id=ref.account_id,
            region=ref.region,
            function_name=ref.name,
            function_arn=ref.qualified_arn,
            event_source_arn=source_arn,
            enabled=enabled,
            state="Creating" if enabled else "Disabled",
            config=settings,
            last_modified=now,
            created_at=now,
        )

        def create(conn: Connection) -> None:
            rows.insert(conn, mapping)
            tagging.put_tags(conn, mapping.arn, tags)

        try:
            await self.writer.write(create)
        except rows.Duplicate as existing:
            raise duplicate(source_arn, ref.name, existing.uuid) from None
        self.poke_pollers()
        return present(mapping)

    @store_read
    def get_event_source_mapping(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.read() as conn:
            found = rows.get(conn, params["UUID"], ctx.account_id, ctx.region)
        if found is None:
            raise not_found()
        return present(found)

    async def update_event_source_mapping(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        refuse_others(params)
        while True:
            current = await self.functions.read(self._mapping, ctx, params["UUID"])
            if current.state == "Deleting":
                raise in_use()
            settings = settings_of(params, current.config)
            check_settings(settings, fifo=current.event_source_arn.endswith(".fifo"))
            ref = parse_function(ctx, params.get("FunctionName") or current.function_arn)
            function = await self.functions.read(self.functions.find_for_invoke, ref)
            await self.check_queue(ctx, current.event_source_arn, function.config["Timeout"])
            enabled = params.get("Enabled", current.enabled)
            state = "Updating"
            if enabled != current.enabled:
                state = "Enabling" if enabled else "Disabling"
            changed = EventSourceMapping(
                **dict(
                    current.__dict__,
                    function_name=ref.name,
                    function_arn=ref.qualified_arn,
                    enabled=enabled,
                    state=state,
                    config=settings,
                    last_modified=time.time(),
                )
            )

            def update(
                conn: Connection,
                changed: EventSourceMapping = changed,
                current: EventSourceMapping = current,
            ) -> bool:
                if changed.function_arn != current.function_arn:
                    existing = rows.find_pair(conn, changed.event_source_arn, changed.function_arn)
                    if existing:
                        raise rows.Duplicate(existing)
                return rows.replace(conn, changed, expected_state=current.state)

            try:
                written = await self.writer.write(update)
            except rows.Duplicate as existing:
                raise duplicate(changed.event_source_arn, ref.name, existing.uuid) from None
            if written:
                self.poke_pollers()
                return present(changed)
            # The pollers settled its state meanwhile: apply the change to what is there now.

    async def delete_event_source_mapping(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        while True:
            current = await self.functions.read(self._mapping, ctx, params["UUID"])
            if current.state == "Deleting":
                return present(current)

            def delete(conn: Connection, current: EventSourceMapping = current) -> bool:
                return rows.set_state(conn, current.uuid, current.state, "Deleting")

            if await self.writer.write(delete):
                current.state = "Deleting"
                self.poke_pollers()
                return present(current)

    @store_read
    def list_event_source_mappings(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        function_arn = None
        if params.get("FunctionName"):
            function_arn = parse_function(ctx, params["FunctionName"]).qualified_arn
        paging = Paging(params, DEFAULT_MAX_ITEMS)
        with self.store.read() as conn:
            found = rows.list_page(
                conn,
                ctx.account_id,
                ctx.region,
                function_arn,
                params.get("EventSourceArn"),
                paging.after,
                paging.limit + 1,
            )
        page, more = paging.page(found, lambda mapping: mapping.uuid)
        return {"EventSourceMappings": [present(m) for m in page], **more}

    def tagged_mapping(self, conn: Connection, ctx: RequestContext, arn: str) -> str:
        """The mapping a tagging Resource names, if it is the caller's: its ARN."""
        parts = arn.split(":")
        if len(parts) != 7 or parts[:3] != ["arn", "aws", "lambda"]:
            raise invalid_parameter(f"Invalid ARN: {arn}")
        found = rows.get(conn, parts[6], ctx.account_id, ctx.region)
        if found is None or found.arn != arn:
            raise not_found()
        return found.arn

    # -- checks --------------------------------------------------------------------------

    def _mapping(self, ctx: RequestContext, mapping_uuid: str) -> EventSourceMapping:
        with self.store.read() as conn:
            found = rows.get(conn, mapping_uuid, ctx.account_id, ctx.region)
        if found is None:
            raise not_found()
        return found

    async def check_queue(self, ctx: RequestContext, arn: str, function_timeout_s: int) -> None:
        """The queue must exist, and hide a received message at least as long as the function
        may run with it."""
        if self.internal is None or not self.internal.serves("sqs"):
            raise not_supported("Amazon SQS event sources on a node that serves no SQS")
        _, _, _, region, account, name = arn.split(":")
        call = self.internal.call_async
        try:
            found = await call(
                "sqs",
                "GetQueueUrl",
                {"QueueName": name, "QueueOwnerAWSAccountId": account},
                identity=ctx.identity,
                region=region,
            )
            answer = await call(
                "sqs",
                "GetQueueAttributes",
                {"QueueUrl": found["QueueUrl"], "AttributeNames": ["VisibilityTimeout"]},
                identity=ctx.identity,
                region=region,
            )
        except ServiceError as error:
            if "NonExistentQueue" in error.code or "QueueDoesNotExist" in error.code:
                raise queue_missing(error) from None
            raise
        visibility = int((answer.get("Attributes") or {}).get("VisibilityTimeout", 30))
        if visibility < function_timeout_s:
            raise timeout_too_long(visibility, function_timeout_s)
