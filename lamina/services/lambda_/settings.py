"""Lambda's per-function and per-account settings: tags, reserved concurrency, account limits."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from lamina.context import RequestContext
from lamina.services import tagging
from lamina.services.lambda_ import functions as repo
from lamina.services.lambda_.arns import parse_function, parse_function_arn
from lamina.services.lambda_.code import UNZIPPED_LIMIT, ZIPPED_LIMIT
from lamina.services.lambda_.errors import invalid_parameter
from lamina.services.registry import store_read

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from lamina.config import Settings
    from lamina.services.lambda_.arns import FunctionRef
    from lamina.store import Store

MAX_TAGS = 50
MAPPING_ARN = ":event-source-mapping:"  # in an event source mapping's ARN, never a function's
# AWS keeps this much of the account's concurrency unreserved, for functions without a reservation.
MIN_UNRESERVED = 100


def check_tags(tags: dict[str, str]) -> None:
    if len(tags) > MAX_TAGS:
        raise invalid_parameter(f"Number of tags exceeds resource tag limit of {MAX_TAGS}.")
    if any(key.lower().startswith("aws:") for key in tags):
        raise invalid_parameter("Tag keys prefixed with 'aws:' are reserved for AWS use.")


class LambdaSettingsOperations:
    # Provided by LambdaProvider, which this class is a part of.
    store: Store
    settings: Settings
    find: Callable[[Connection, FunctionRef], repo.FunctionVersion]
    writing: Callable[[FunctionRef], AbstractContextManager[Connection]]
    tagged_mapping: Callable[[Connection, RequestContext, str], str]  # esm_operations'

    # -- tags ------------------------------------------------------------------------------

    def tag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        if MAPPING_ARN in params["Resource"]:  # an event source mapping's tags
            with self.store.write() as conn:
                arn = self.tagged_mapping(conn, ctx, params["Resource"])
                check_tags({**tagging.get_tags(conn, arn), **params["Tags"]})
                tagging.put_tags(conn, arn, params["Tags"])
            return {}
        ref = parse_function_arn(ctx, params["Resource"])
        with self.writing(ref) as conn:
            self.find(conn, ref)
            merged = {**tagging.get_tags(conn, ref.arn), **params["Tags"]}
            check_tags(merged)
            tagging.put_tags(conn, ref.arn, params["Tags"])
        return {}

    def untag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        if MAPPING_ARN in params["Resource"]:
            with self.store.write() as conn:
                arn = self.tagged_mapping(conn, ctx, params["Resource"])
                tagging.remove_tags(conn, arn, params["TagKeys"])
            return {}
        ref = parse_function_arn(ctx, params["Resource"])
        with self.writing(ref) as conn:
            self.find(conn, ref)
            tagging.remove_tags(conn, ref.arn, params["TagKeys"])
        return {}

    @store_read
    def list_tags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        if MAPPING_ARN in params["Resource"]:
            with self.store.read() as conn:
                return {
                    "Tags": tagging.get_tags(
                        conn, self.tagged_mapping(conn, ctx, params["Resource"])
                    )
                }
        ref = parse_function_arn(ctx, params["Resource"])
        with self.store.read() as conn:
            self.find(conn, ref)
            return {"Tags": tagging.get_tags(conn, ref.arn)}

    # -- concurrency -----------------------------------------------------------------------

    def put_function_concurrency(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"])
        wanted = params["ReservedConcurrentExecutions"]
        with self.writing(ref) as conn:
            function = self.find(conn, ref)
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
            reserved = self.find(conn, ref).reserved_concurrency
        return {} if reserved is None else {"ReservedConcurrentExecutions": reserved}

    def delete_function_concurrency(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        ref = parse_function(ctx, params["FunctionName"])
        with self.writing(ref) as conn:
            repo.set_reserved_concurrency(conn, self.find(conn, ref).function_id, None)
        return {}

    # -- account ---------------------------------------------------------------------------

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
