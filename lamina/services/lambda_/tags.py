"""Tags on functions and on event source mappings: Tag/Untag/ListTags."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lamina.context import RequestContext
from lamina.services import tagging
from lamina.services.lambda_.arns import parse_function_arn
from lamina.services.lambda_.errors import invalid_parameter
from lamina.services.registry import store_read

if TYPE_CHECKING:
    from lamina.services.lambda_.catalog import FunctionCatalog
    from lamina.services.lambda_.esm_operations import EventSourceMappings

MAX_TAGS = 50
MAPPING_ARN = ":event-source-mapping:"  # in an event source mapping's ARN, never a function's


def check_tags(tags: dict[str, str]) -> None:
    if len(tags) > MAX_TAGS:
        raise invalid_parameter(f"Number of tags exceeds resource tag limit of {MAX_TAGS}.")
    if any(key.lower().startswith("aws:") for key in tags):
        raise invalid_parameter("Tag keys prefixed with 'aws:' are reserved for AWS use.")


class Tags:
    def __init__(self, functions: FunctionCatalog, mappings: EventSourceMappings) -> None:
        self.functions = functions
        self.mappings = mappings
        self.store = functions.store

    def tag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        if MAPPING_ARN in params["Resource"]:  # an event source mapping's tags
            with self.store.write() as conn:
                arn = self.mappings.tagged_mapping(conn, ctx, params["Resource"])
                check_tags({**tagging.get_tags(conn, arn), **params["Tags"]})
                tagging.put_tags(conn, arn, params["Tags"])
            return {}
        ref = parse_function_arn(ctx, params["Resource"])
        with self.functions.writing(ref) as conn:
            self.functions.find(conn, ref)
            merged = {**tagging.get_tags(conn, ref.arn), **params["Tags"]}
            check_tags(merged)
            tagging.put_tags(conn, ref.arn, params["Tags"])
        return {}

    def untag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        if MAPPING_ARN in params["Resource"]:
            with self.store.write() as conn:
                arn = self.mappings.tagged_mapping(conn, ctx, params["Resource"])
                tagging.remove_tags(conn, arn, params["TagKeys"])
            return {}
        ref = parse_function_arn(ctx, params["Resource"])
        with self.functions.writing(ref) as conn:
            self.functions.find(conn, ref)
            tagging.remove_tags(conn, ref.arn, params["TagKeys"])
        return {}

    @store_read
    def list_tags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        if MAPPING_ARN in params["Resource"]:
            with self.store.read() as conn:
                arn = self.mappings.tagged_mapping(conn, ctx, params["Resource"])
                return {"Tags": tagging.get_tags(conn, arn)}
        ref = parse_function_arn(ctx, params["Resource"])
        with self.store.read() as conn:
            self.functions.find(conn, ref)
            return {"Tags": tagging.get_tags(conn, ref.arn)}
