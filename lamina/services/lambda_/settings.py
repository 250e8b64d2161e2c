"""Lambda's concurrency settings: a function's reserved concurrency, the account's limits, and
the limits an invocation is held to (lamina/execution/concurrency.py counts the running ones)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from lamina.context import RequestContext
from lamina.execution.concurrency import Limits
from lamina.services.lambda_ import functions as repo
from lamina.services.lambda_.arns import FunctionRef, parse_function
from lamina.services.lambda_.code import UNZIPPED_LIMIT, ZIPPED_LIMIT
from lamina.services.lambda_.errors import invalid_parameter
from lamina.services.lambda_.recent import Recent
from lamina.services.registry import store_read

if TYPE_CHECKING:
    from lamina.services.lambda_.catalog import FunctionCatalog

# AWS keeps this much of the account's concurrency unreserved, for functions without a reservation.
MIN_UNRESERVED = 100


class ConcurrencySettings:
    def __init__(self, functions: FunctionCatalog) -> None:
        self.functions = functions
        self.store = functions.store
        self.settings = functions.settings
        # Each account's reserved total, for Invoke's hot path.
        self.reservations: Recent[tuple[str, str], int] = Recent()
        functions.on_change(self.forget)

    def forget(self, ref: FunctionRef) -> None:
        self.reservations.drop((ref.account_id, ref.region))  # it may have changed a reservation

    def reset(self) -> None:
        self.reservations.clear()

    def put_function_concurrency(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"])
        wanted = params["ReservedConcurrentExecutions"]
        with self.functions.writing(ref) as conn:
            function = self.functions.find(conn, ref)
            others = repo.reserved_total(conn, ref.account_id, ref.region, function.function_id)
            if self.settings.account_concurrency - others - wanted < MIN_UNRESERVED:
                raise invalid_parameter(
                    "Specified ReservedConcurrentExecutions for function decreases account's "
                    f"UnreservedConcurrentExecution below its minimum value of [{MIN_UNRESERVED}]."
                )
            repo.set_reserved_concurrency(conn, function.function_id, wanted)
        return {"ReservedConcurrentExecutions": wanted}

    @store_read
    def get_function_concurrency(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"])
        with self.store.read() as conn:
            reserved = self.functions.find(conn, ref).reserved_concurrency
        return {} if reserved is None else {"ReservedConcurrentExecutions": reserved}

    def delete_function_concurrency(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"])
        with self.functions.writing(ref) as conn:
            repo.set_reserved_concurrency(conn, self.functions.find(conn, ref).function_id, None)
        return {}

    @store_read
    def get_account_settings(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            code_size, count = repo.usage(conn, ctx.account_id, ctx.region)
            reserved = repo.reserved_total(conn, ctx.account_id, ctx.region)
        limit = self.settings.account_concurrency
        return {
            "AccountLimit": {
                "TotalCodeSize": self.settings.code_storage_bytes,
                "CodeSizeUnzipped": UNZIPPED_LIMIT,
                "CodeSizeZipped": ZIPPED_LIMIT,
                "ConcurrentExecutions": limit,
                "UnreservedConcurrentExecutions": limit - reserved,
            },
            "AccountUsage": {"TotalCodeSize": code_size, "FunctionCount": count},
        }

    async def limits(self, ref: FunctionRef, function: repo.FunctionVersion) -> Limits:
        """The function's concurrency limits: its reservation, or the account's unreserved pool."""
        if function.reserved_concurrency is not None:
            return Limits(function.reserved_concurrency, 0)
        account = (ref.account_id, ref.region)
        _, reserved = self.reservations.get(account)
        if reserved is None:
            read_at = time.monotonic()
            reserved = await self.functions.read(self._reserved_total, *account)
            self.reservations.put(account, reserved, read_at)
        return Limits(None, self.settings.account_concurrency - reserved)

    def _reserved_total(self, account_id: str, region: str) -> int:
        with self.store.read() as conn:
            return repo.reserved_total(conn, account_id, region)
