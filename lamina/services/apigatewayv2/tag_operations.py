"""TagResource, UntagResource, GetTags for APIs and stages, kept by ARN with every service's
tags (lamina/services/tagging.py): arn:aws:apigateway:{region}::/apis/{id}[/stages/{name}]."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.engine import Connection

from lamina.context import RequestContext
from lamina.services import tagging
from lamina.services.apigatewayv2 import items
from lamina.services.apigatewayv2.base import Base
from lamina.services.apigatewayv2.errors import bad_request, not_found

_ARN = re.compile(r"^arn:aws:apigateway:([a-z0-9-]+)::/apis/([a-z0-9]{10})(?:/stages/([^/]+))?$")


def api_arn(region: str, api_id: str) -> str:
    return f"arn:aws:apigateway:{region}::/apis/{api_id}"


def stage_arn(region: str, api_id: str, stage: str) -> str:
    return f"{api_arn(region, api_id)}/stages/{stage}"


def forget_api(conn: Connection, region: str, api_id: str) -> None:
    """An API's tags and its stages', as it is deleted."""
    for stage in items.all_items(conn, api_id, items.STAGE):
        tagging.remove_tags(conn, stage_arn(region, api_id, stage.item_id))
    tagging.remove_tags(conn, api_arn(region, api_id))


class TagOperations(Base):
    def _resource(self, conn: Connection, ctx: RequestContext, arn: str) -> str:
        """The ARN, once its API (and stage) is found to be the caller's."""
        found = _ARN.match(arn)
        if found is None:
            raise bad_request(f"Invalid resource ARN: {arn}. Tags go on APIs and stages.")
        region, api_id, stage = found.groups()
        if region != ctx.region:
            raise not_found("API", ctx.account_id, api_id)
        if stage is None:
            self.find_api(conn, ctx, api_id)
        else:
            self.find_item(conn, ctx, api_id, items.STAGE, stage)
        return arn

    def tag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            arn = self._resource(conn, ctx, params["ResourceArn"])
            tagging.put_tags(conn, arn, params.get("Tags") or {})
        return {}

    def untag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            arn = self._resource(conn, ctx, params["ResourceArn"])
            tagging.remove_tags(conn, arn, list(params["TagKeys"]))
        return {}

    def get_tags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            arn = self._resource(conn, ctx, params["ResourceArn"])
            return {"Tags": tagging.get_tags(conn, arn)}
