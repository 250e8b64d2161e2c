"""Lambda's concurrency settings: a function's reserved concurrency, the account's limits, and
the limits an invocation is held to (lamina/execution/concurrency.py counts the running ones)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lamina.context import RequestContext
from lamina.execution.concurrency import Limits
from lamina.services.lambda_ import functions as repo
from lamina.services.lambda_ import provisioned_configs
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
        # Each account's allocations, for Invoke's hot path.
        self.reservations: Recent[tuple[str, str], _Allocations] = Recent()
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
            provisioned = sum(c.requested for c in provisioned_configs.of_function(
                conn, function.function_id))  # fmt: skip
            if wanted < provisioned:  # the provisioned environments come out of the reservation
                raise invalid_parameter(
                    f" ReservedConcurrentExecutions  {wanted} should not be lower than "
                    f"function's total provisioned concurrency [{provisioned}]."
                )
            others = repo.reserved_total(conn, ref.account_id, ref.region, function.function_id)
            others += provisioned_configs.unreserved_total(conn, ref.account_id, ref.region)
            if function.reserved_concurrency is None:  # its own move into the reservation
                others -= provisioned
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
            # what functions without a reservation have provisioned is no longer unreserved
            reserved += provisioned_configs.unreserved_total(conn, ctx.account_id, ctx.region)
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
        """The function's on-demand limits: its reservation less its provisioned concurrency,
        or the account's unreserved pool less every allocation (as Lambda sets them aside)."""
        account = (ref.account_id, ref.region)
        _, allocations = self.reservations.get(account)
        if allocations is None:
            read_at = time.monotonic()
            allocations = await self.functions.read(self._allocations, *account)
            self.reservations.put(account, allocations, read_at)
        provisioned = allocations.provisioned.get(function.function_id, 0)
        if function.reserved_concurrency is not None:
            return Limits(function.reserved_concurrency - provisioned, 0, provisioned)
        unreserved = self.settings.account_concurrency - allocations.reserved
        return Limits(None, unreserved - allocations.unreserved_provisioned, provisioned)

    def _allocations(self, account_id: str, region: str) -> _Allocations:
        with self.store.read() as conn:
            return _Allocations(
                repo.reserved_total(conn, account_id, region),
                provisioned_configs.unreserved_total(conn, account_id, region),
                provisioned_configs.by_function(conn, account_id, region),
            )


@dataclass(frozen=True)
class _Allocations:
    """An account's concurrency set aside: reservations, what functions without one have
    provisioned, and each function's provisioned total."""

    reserved: int
    unreserved_provisioned: int
    provisioned: dict[int, int]
