"""What every group of HTTP API operations shares: the store, finding the caller's API, paging,
and redeploying AutoDeploy stages after a change to routes or integrations."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Connection

from lamina.config import Settings
from lamina.context import RequestContext
from lamina.services import pagetokens
from lamina.services.apigatewayv2 import items
from lamina.services.apigatewayv2.errors import bad_request, not_found
from lamina.services.apigatewayv2.items import Api
from lamina.services.apigatewayv2.served import ServedApis
from lamina.store import Store


class Base:
    store: Store
    settings: Settings
    served: ServedApis

    def changed(self, api_id: str) -> None:
        """After a committed change to an API: this node's data plane reads it anew."""
        self.served.drop(api_id)

    def endpoint(self, api_id: str, websocket: bool = False) -> str:
        """Where the API answers on Lamina, as GetApi's ApiEndpoint says."""
        scheme = "ws" if websocket else "http"
        return f"{scheme}://{api_id}.execute-api.localhost:{self.settings.port}"

    def find_api(self, conn: Connection, ctx: RequestContext, api_id: str) -> Api:
        found = items.api(conn, api_id)
        if found is None or (found.account_id, found.region) != (ctx.account_id, ctx.region):
            raise not_found("API", ctx.account_id, api_id)
        return found

    def find_item(
        self, conn: Connection, ctx: RequestContext, api_id: str, kind: str, item_id: str
    ) -> items.Item:
        self.find_api(conn, ctx, api_id)
        found = items.item(conn, api_id, kind, item_id)
        if found is None:
            name = {"stage": "stage", "route": "Route"}.get(kind, kind.capitalize())
            raise not_found(name, ctx.account_id, api_id, item_id)
        return found

    def redeploy(self, conn: Connection, api_id: str) -> None:
        """After a change to routes or integrations: one new deployment for the AutoDeploy
        stages, as AWS deploys each change to them."""
        stages = [s for s in items.all_items(conn, api_id, items.STAGE) if s.config["AutoDeploy"]]
        if not stages:
            return
        made = self.deploy(conn, api_id, auto=True)
        for stage in stages:
            self.point_stage(conn, api_id, stage, made.item_id)

    def deploy(
        self, conn: Connection, api_id: str, auto: bool, description: str | None = None
    ) -> items.Item:
        """A deployment: the API's routes, integrations and authorizers as they are now."""
        config: dict[str, Any] = {"AutoDeployed": auto, "Snapshot": self.snapshot(conn, api_id)}
        if description is not None:
            config["Description"] = description
        return items.insert_item(conn, api_id, items.DEPLOYMENT, config)

    def snapshot(self, conn: Connection, api_id: str) -> dict[str, Any]:
        """The API's routes, integrations and authorizers as they are now, as a deployment
        keeps them (and ExportApi without a stage writes them)."""
        routes = [
            {"RouteId": r.item_id, **r.config} for r in items.all_items(conn, api_id, items.ROUTE)
        ]
        integrations = {
            i.item_id: i.config for i in items.all_items(conn, api_id, items.INTEGRATION)
        }
        authorizers = {a.item_id: a.config for a in items.all_items(conn, api_id, "authorizer")}
        responses = [r.config for r in items.all_items(conn, api_id, items.ROUTE_RESPONSE)]
        answers = [r.config for r in items.all_items(conn, api_id, items.INTEGRATION_RESPONSE)]
        models = {
            m.config["Name"]: json.loads(m.config["Schema"])
            for m in items.all_items(conn, api_id, items.MODEL)
        }
        return {
            "Routes": routes,
            "Integrations": integrations,
            "Authorizers": authorizers,
            "RouteResponses": responses,  # WebSocket APIs': which routes answer
            "IntegrationResponses": answers,  # WebSocket APIs' non-proxy integrations'
            "Models": models,  # WebSocket APIs': schemas by name
        }

    def point_stage(
        self, conn: Connection, api_id: str, stage: items.Item, deployment_id: str
    ) -> None:
        config = {**stage.config, "DeploymentId": deployment_id, "LastUpdated": time.time()}
        items.update_item(conn, api_id, items.STAGE, stage.item_id, config)


def page(
    found: list[Any], params: dict[str, Any], present: Callable[[Any], dict[str, Any]]
) -> dict[str, Any]:
    """One page of `found` (in a stable order), as the Get…s operations answer."""
    start = 0
    if params.get("NextToken"):
        try:
            start = int(pagetokens.decode(params["NextToken"]))
        except (pagetokens.BadToken, TypeError, ValueError):
            raise bad_request("Invalid NextToken") from None
    size = len(found)
    if params.get("MaxResults"):
        try:
            size = int(params["MaxResults"])
        except ValueError:
            raise bad_request("MaxResults must be a number") from None
        if size < 1:
            raise bad_request("MaxResults must be at least 1")
    chosen = found[start : start + size]
    answer: dict[str, Any] = {"Items": [present(entry) for entry in chosen]}
    if start + size < len(found):
        answer["NextToken"] = pagetokens.encode(start + size)
    return answer
