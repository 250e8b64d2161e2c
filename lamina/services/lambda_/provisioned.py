"""Provisioned concurrency: Put/Get/List/DeleteProvisionedConcurrencyConfig on a published
version or alias. Each config is a store row (provisioned_configs.py); the environments it
asks for are this node's, started in the background once the config is stored (IN_PROGRESS
until they are all initialized, then READY; FAILED with the reason if an init fails), and
started again when the node starts. An alias with weighted routing splits its environments
between its two versions by the weight, as Lambda does."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection

from lamina.context import RequestContext
from lamina.execution.function import FunctionSnapshot
from lamina.execution.provisioned import ProvisionState
from lamina.protocol.errors import ServiceError
from lamina.services.lambda_ import aliases
from lamina.services.lambda_ import functions as repo
from lamina.services.lambda_ import provisioned_configs as rows
from lamina.services.lambda_.arns import (
    LATEST,
    FunctionRef,
    parse_function,
)
from lamina.services.lambda_.configuration import last_modified
from lamina.services.lambda_.errors import invalid_parameter
from lamina.services.lambda_.invoke import snapshot
from lamina.services.lambda_.paging import Paging
from lamina.services.lambda_.settings import MIN_UNRESERVED
from lamina.services.registry import store_read

if TYPE_CHECKING:
    from lamina.services.lambda_.catalog import FunctionCatalog

log = logging.getLogger("lamina.lambda")

FunctionKey = tuple[str, str, str]
DEFAULT_MAX_ITEMS = 50


def _not_found() -> ServiceError:
    return ServiceError(
        "ProvisionedConcurrencyConfigNotFoundException",
        "No Provisioned Concurrency Config found for this function",
        404,
        Type="User",
    )


def _conflict(message: str) -> ServiceError:
    return ServiceError("ResourceConflictException", message, 409, Type="User")


def _published_qualifier(ref: FunctionRef, operation: str) -> str:
    if ref.qualifier in (None, LATEST):
        if operation == "put":
            raise invalid_parameter(
                "Provisioned Concurrency Configs cannot be applied to unpublished function "
                "versions."
            )
        raise invalid_parameter(
            "The function resource provided must be an alias or a published version."
        )
    assert ref.qualifier is not None
    return ref.qualifier


class ProvisionedConcurrency:
    def __init__(self, functions: FunctionCatalog) -> None:
        self.functions = functions
        self.store = functions.store
        self.settings = functions.settings
        self.execution = functions.execution
        self.loop: asyncio.AbstractEventLoop | None = None
        # The versions this node keeps environments for, per function, with their snapshots.
        self.active: dict[FunctionKey, dict[str, FunctionSnapshot]] = {}
        functions.on_change(self._changed)

    # -- API ---------------------------------------------------------------------------------

    def put_provisioned_concurrency_config(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"], params.get("Qualifier"))
        qualifier = _published_qualifier(ref, "put")
        wanted = params["ProvisionedConcurrentExecutions"]
        config = rows.ProvisionedConfig(0, qualifier, wanted, last_modified())
        with self.functions.writing(ref) as conn:
            function = self.functions.find(conn, ref)  # the version, or the alias's
            if function.version == LATEST:  # an alias of $LATEST
                _published_qualifier(FunctionRef(ref.account_id, ref.region, ref.name, None), "put")
            self._check_conflicts(conn, function.function_id, qualifier, function.version)
            self._check_limits(conn, ref, function, qualifier, wanted)
            config = rows.ProvisionedConfig(function.function_id, qualifier, wanted,
                                            config.last_modified)  # fmt: skip
            rows.put(conn, config)
        self._reconcile_soon((ref.account_id, ref.region, ref.name))
        return {
            "RequestedProvisionedConcurrentExecutions": wanted,
            "AvailableProvisionedConcurrentExecutions": 0,
            "AllocatedProvisionedConcurrentExecutions": 0,
            "Status": "IN_PROGRESS",
            "LastModified": config.last_modified,
        }

    @store_read
    def get_provisioned_concurrency_config(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"], params.get("Qualifier"))
        qualifier = _published_qualifier(ref, "get")
        with self.store.read() as conn:
            latest = self._function(conn, ref)
            config = rows.get(conn, latest.function_id, qualifier)
            if config is None:
                raise _not_found()
            shares = self._shares(conn, latest, config)
        return self._shown(ref, config, shares)

    @store_read
    def list_provisioned_concurrency_configs(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"])
        paging = Paging(params, DEFAULT_MAX_ITEMS)
        after = paging.after
        with self.store.read() as conn:
            latest = self.functions.find_latest(conn, ref)
            every = [c for c in rows.of_function(conn, latest.function_id)
                     if after is None or c.qualifier > after]  # fmt: skip
            page, more = paging.page(every, lambda config: config.qualifier)
            shown = []
            for config in page:
                item = FunctionRef(ref.account_id, ref.region, ref.name, config.qualifier)
                answer = self._shown(item, config, self._shares(conn, latest, config))
                shown.append({"FunctionArn": item.qualified_arn, **answer})
        return {"ProvisionedConcurrencyConfigs": shown, **more}

    def delete_provisioned_concurrency_config(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"], params.get("Qualifier"))
        qualifier = _published_qualifier(ref, "delete")
        with self.functions.writing(ref) as conn:
            latest = self._function(conn, ref)
            rows.delete(conn, latest.function_id, qualifier)
        self._reconcile_soon((ref.account_id, ref.region, ref.name))
        return {}

    # -- checks ------------------------------------------------------------------------------

    def _function(self, conn: Connection, ref: FunctionRef) -> repo.FunctionVersion:
        """The function's $LATEST, once the qualifier is known to name a version or alias."""
        self.functions.find(conn, ref)
        found = repo.get(conn, ref.account_id, ref.region, ref.name)
        assert found is not None
        return found

    def _check_conflicts(
        self, conn: Connection, function_id: int, qualifier: str, version: str
    ) -> None:
        """A version has provisioned concurrency of its own or through one alias, not both."""
        if qualifier.isdigit():
            for alias in aliases.referring_to(conn, function_id, qualifier):
                if rows.get(conn, function_id, alias) is not None:
                    raise _conflict("Version is pointed by a Provisioned Concurrency alias")
        elif rows.get(conn, function_id, version) is not None:
            raise _conflict(
                "Alias can't be used for Provisioned Concurrency configuration on an already "
                "Provisioned version"
            )

    def _check_limits(
        self,
        conn: Connection,
        ref: FunctionRef,
        function: repo.FunctionVersion,
        qualifier: str,
        wanted: int,
    ) -> None:
        """Within the function's reservation if it has one, else leaving the account's
        unreserved pool at least its minimum (AWS's rules)."""
        others = sum(c.requested for c in rows.of_function(conn, function.function_id)
                     if c.qualifier != qualifier)  # fmt: skip
        reserved = function.reserved_concurrency
        if reserved is not None:
            if others + wanted > reserved:
                raise invalid_parameter(
                    "Requested Provisioned Concurrency should not be greater than the "
                    "reservedConcurrentExecution for function"
                )
            return
        limit = self.settings.account_concurrency
        if wanted > limit:
            raise invalid_parameter(
                "Specified ConcurrentExecutions for function is greater than account's "
                f"unreserved concurrency [{limit}]."
            )
        old = rows.get(conn, function.function_id, qualifier)
        provisioned = rows.unreserved_total(conn, ref.account_id, ref.region)
        provisioned -= old.requested if old else 0
        reservations = repo.reserved_total(conn, ref.account_id, ref.region)
        if limit - reservations - provisioned - wanted < MIN_UNRESERVED:
            raise invalid_parameter(
                "Specified ConcurrentExecutions for function decreases account's "
                f"UnreservedConcurrentExecution below its minimum value of [{MIN_UNRESERVED}]."
            )

    # -- what each version is given ----------------------------------------------------------

    def _shares(
        self, conn: Connection, latest: repo.FunctionVersion, config: rows.ProvisionedConfig
    ) -> dict[str, int]:
        """How many environments of which version a config asks for."""
        if config.qualifier.isdigit():
            return {config.qualifier: config.requested}
        alias = aliases.get(conn, latest.function_id, config.qualifier)
        if alias is None:
            return {}
        if not alias.routing:
            return {alias.function_version: config.requested}
        ((extra, weight),) = alias.routing.items()
        extra_count = round(config.requested * weight)
        shares = {alias.function_version: config.requested - extra_count}
        if extra_count:
            shares[extra] = extra_count
        return shares

    def _shown(
        self, ref: FunctionRef, config: rows.ProvisionedConfig, shares: dict[str, int]
    ) -> dict[str, Any]:
        states = [self._state(ref, version) for version in shares]
        failures = [s.failure for s in states if s is not None and s.failure]
        allocated = sum(min(count, s.live) if s else 0
                        for count, s in zip(shares.values(), states, strict=True))  # fmt: skip
        if failures:
            status = "FAILED"
        elif states and all(s is not None and s.ready for s in states):
            status, allocated = "READY", config.requested
        else:
            status = "IN_PROGRESS"
        answer: dict[str, Any] = {
            "RequestedProvisionedConcurrentExecutions": config.requested,
            "AvailableProvisionedConcurrentExecutions": allocated,
            "AllocatedProvisionedConcurrentExecutions": allocated,
            "Status": status,
            "LastModified": config.last_modified,
        }
        if failures:
            answer["StatusReason"] = failures[0]
        return answer

    def _state(self, ref: FunctionRef, version: str) -> ProvisionState | None:
        active = self.active.get((ref.account_id, ref.region, ref.name), {}).get(version)
        if active is None or self.execution is None:
            return None
        return self.execution.provisioned_state(active)

    # -- keeping this node's environments as the configs say ---------------------------------

    async def start(self) -> None:
        """Provision every stored config again (a restart keeps them)."""
        self.loop = asyncio.get_running_loop()
        placed = await self.functions.read(self._every)
        for key in {(p.account_id, p.region, p.name) for p in placed}:
            await self.reconcile(key)

    def stop(self) -> None:
        """Retire this node's provisioned environments (at shutdown, or before a reset)."""
        if self.execution is not None:
            for versions in self.active.values():
                for function in versions.values():
                    self.execution.provision(function, 0)
        self.active.clear()
        self.loop = None

    def _every(self) -> list[rows.Placed]:
        with self.store.read() as conn:
            return rows.every(conn)

    def _changed(self, ref: FunctionRef) -> None:
        """A function changed (a version or alias deleted, an alias moved): if it has
        provisioned environments here, bring them in line with its configs."""
        key = (ref.account_id, ref.region, ref.name)
        if key in self.active:
            self._reconcile_soon(key)

    def _reconcile_soon(self, key: FunctionKey) -> None:
        if self.loop is None or self.loop.is_closed():
            return

        def run() -> None:
            assert self.loop is not None
            self.loop.create_task(self.reconcile(key))

        self.loop.call_soon_threadsafe(run)

    async def reconcile(self, key: FunctionKey) -> None:
        if self.execution is None:
            return
        wanted = await self.functions.read(self._wanted, key)
        if self.loop is None:  # stopped meanwhile: nothing is kept past stop()
            return
        current = self.active.get(key, {})
        for version, function in current.items():
            if version not in wanted:
                self.execution.provision(function, 0)
        active: dict[str, FunctionSnapshot] = {}
        for version, (function, count) in wanted.items():
            active[version] = function
            self.execution.provision(function, count)
        if active:
            self.active[key] = active
        else:
            self.active.pop(key, None)

    def _wanted(self, key: FunctionKey) -> dict[str, tuple[FunctionSnapshot, int]]:
        account, region, name = key
        wanted: dict[str, tuple[FunctionSnapshot, int]] = {}
        with self.store.read() as conn:
            latest = repo.get(conn, account, region, name)
            if latest is None:
                return {}
            for config in rows.of_function(conn, latest.function_id):
                for version, count in self._shares(conn, latest, config).items():
                    found = repo.get(conn, account, region, name, version)
                    if found is None:
                        continue
                    before = wanted.get(version, (None, 0))[1]
                    wanted[version] = (snapshot(account, region, found), before + count)
        return wanted
