"""Aliases: Create/Get/Update/Delete/ListAliases. An alias names $LATEST or a published version,
and may send a share of its invocations to one other published version
(RoutingConfig.AdditionalVersionWeights, routing.py); the store module is aliases.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lamina.protocol.errors import ServiceError
from lamina.services.lambda_ import aliases as rows
from lamina.services.lambda_ import functions as repo
from lamina.services.lambda_ import provisioned_configs
from lamina.services.lambda_.aliases import Alias
from lamina.services.lambda_.arns import (
    LATEST,
    FunctionRef,
    function_arn,
    parse_function,
)
from lamina.services.lambda_.configuration import new_revision
from lamina.services.lambda_.errors import function_not_found, precondition_failed
from lamina.services.lambda_.paging import Paging
from lamina.services.lambda_.routing import check_weights, weights_of
from lamina.services.registry import store_read

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from lamina.context import RequestContext
    from lamina.services.lambda_.catalog import FunctionCatalog

DEFAULT_MAX_ITEMS = 50


def alias_arn(ref: FunctionRef, name: str) -> str:
    return function_arn(ref.region, ref.account_id, ref.name, name)


def no_alias(ref: FunctionRef, name: str) -> ServiceError:
    return ServiceError(
        "ResourceNotFoundException",
        f"Cannot find alias arn: {alias_arn(ref, name)}",
        404,
        Type="User",
    )


def present(ref: FunctionRef, alias: Alias) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "AliasArn": alias_arn(ref, alias.name),
        "Name": alias.name,
        "FunctionVersion": alias.function_version,
        "Description": alias.description,
        "RevisionId": alias.revision_id,
    }
    if alias.routing:
        answer["RoutingConfig"] = {"AdditionalVersionWeights": dict(alias.routing)}
    return answer


class Aliases:
    def __init__(self, functions: FunctionCatalog) -> None:
        self.functions = functions
        self.store = functions.store

    def create_alias(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"])
        name = params["Name"]
        weights = weights_of(params.get("RoutingConfig"))
        with self.functions.writing(ref) as conn:
            function = self.functions.find_latest(conn, ref)
            self.check_targets(conn, ref, params["FunctionVersion"], weights)
            alias = Alias(
                function.function_id,
                name,
                params["FunctionVersion"],
                params.get("Description") or "",
                weights,
                new_revision(),
            )
            try:
                rows.insert(conn, alias)
            except rows.AlreadyExists:
                raise ServiceError(
                    "ResourceConflictException",
                    f"Alias already exists: {alias_arn(ref, name)}",
                    409,
                    Type="User",
                ) from None
        return present(ref, alias)

    @store_read
    def get_alias(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"])
        with self.store.read() as conn:
            function = self.functions.find_latest(conn, ref)
            alias = rows.get(conn, function.function_id, params["Name"])
        if alias is None:
            raise no_alias(ref, params["Name"])
        return present(ref, alias)

    def update_alias(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"])
        with self.functions.writing(ref) as conn:
            function = self.functions.find_latest(conn, ref)
            current = rows.get(conn, function.function_id, params["Name"])
            if current is None:
                raise no_alias(ref, params["Name"])
            if params.get("RevisionId") and params["RevisionId"] != current.revision_id:
                raise precondition_failed()
            version = params.get("FunctionVersion") or current.function_version
            weights = current.routing
            if "RoutingConfig" in params:
                weights = weights_of(params["RoutingConfig"])
            self.check_targets(conn, ref, version, weights)
            description = params.get("Description")
            changed = Alias(
                current.function_id,
                current.name,
                version,
                current.description if description is None else description,
                weights,
                new_revision(),
            )
            if not rows.replace(conn, current, changed):
                raise precondition_failed()  # changed meanwhile by another writer
        return present(ref, changed)

    def delete_alias(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"])
        with self.functions.writing(ref) as conn:
            function = self.functions.find_latest(conn, ref)
            if not rows.delete(conn, function.function_id, params["Name"]):
                raise no_alias(ref, params["Name"])
            provisioned_configs.delete(conn, function.function_id, params["Name"])
        return {}

    @store_read
    def list_aliases(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"])
        paging = Paging(params, DEFAULT_MAX_ITEMS)
        with self.store.read() as conn:
            function = self.functions.find_latest(conn, ref)
            found = rows.list_page(
                conn,
                function.function_id,
                params.get("FunctionVersion"),
                paging.after,
                paging.limit + 1,
            )
        page, more = paging.page(found, lambda alias: alias.name)
        return {"Aliases": [present(ref, alias) for alias in page], **more}

    def check_targets(
        self, conn: Connection, ref: FunctionRef, version: str, weights: dict[str, float]
    ) -> None:
        """The versions an alias routes to exist, and the weights follow AWS's rules."""
        check_weights(weights, version)
        for target in (version, *weights):
            named = target == LATEST or target.isdigit()  # an alias cannot point at an alias
            if not named or repo.get(conn, ref.account_id, ref.region, ref.name, target) is None:
                raise function_not_found(function_arn(ref.region, ref.account_id, ref.name, target))
