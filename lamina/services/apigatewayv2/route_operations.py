"""Create/Get/Update/DeleteRoute(s): `METHOD /path` keys or `$default`, each with a Target
`integrations/{id}`, and who may call it: AuthorizationType NONE, JWT or CUSTOM (a Lambda
authorizer) with its AuthorizerId, or AWS_IAM (authorizer_operations.py checks them); on a
WebSocket API, its `$connect` route only, by AWS_IAM or CUSTOM. A WebSocket route's RequestModels
(its API's models, chosen by its ModelSelectionExpression) validate its messages."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from lamina.context import RequestContext
from lamina.services.apigatewayv2 import items, route_keys, websocket_selection
from lamina.services.apigatewayv2.authorizer_operations import (
    route_authorization,
    websocket_route_authorization,
)
from lamina.services.apigatewayv2.base import Base, page
from lamina.services.apigatewayv2.errors import bad_request, conflict, refuse_unsupported
from lamina.services.apigatewayv2.model_operations import names as model_names
from lamina.services.apigatewayv2.websocket_settings import (
    CONNECT,
    DISCONNECT,
    check_route_key,
    is_websocket,
)

_UNSUPPORTED = {"RequestParameters": "a WebSocket API setting"}
_WEBSOCKET_ONLY = ("RequestModels", "ModelSelectionExpression")
_SETTABLE = (
    "RouteKey",
    "Target",
    "OperationName",
    "AuthorizationType",
    "AuthorizerId",
    "AuthorizationScopes",
    "RouteResponseSelectionExpression",
    *_WEBSOCKET_ONLY,
)


def present_route(found: items.Item) -> dict[str, Any]:
    return {
        "ApiGatewayManaged": found.config.get("ApiGatewayManaged", False),
        "ApiKeyRequired": False,
        "AuthorizationType": "NONE",
        "RouteId": found.item_id,
        **{n: found.config[n] for n in _SETTABLE if n in found.config},
    }


class RouteOperations(Base):
    def _check(self, conn: Connection, api_id: str, params: dict[str, Any]) -> None:
        refuse_unsupported(params, _UNSUPPORTED)
        found = items.api(conn, api_id)
        websocket = found is not None and is_websocket(found.config)
        selection = params.get("RouteResponseSelectionExpression")
        if not websocket and selection:
            raise bad_request("RouteResponseSelectionExpression is for WebSocket APIs only.")
        for name in _WEBSOCKET_ONLY:
            if not websocket and params.get(name):
                raise bad_request(f"{name} is supported only for WebSocket APIs.")
        if selection not in (None, "", "$default"):
            raise bad_request(
                f"Lamina does not support RouteResponseSelectionExpression {selection} yet; "
                "$default (a two-way route: the function's answer goes back) it serves."
            )
        if params.get("ApiKeyRequired"):
            raise bad_request(
                "Lamina does not support ApiKeyRequired (API keys) yet."
                if websocket
                else "ApiKeyRequired is supported only for WebSocket APIs."
            )
        if "RouteKey" in params:
            if websocket:
                check_route_key(params["RouteKey"])
            else:
                route_keys.parse(params["RouteKey"])
        target = params.get("Target")
        if target:
            kind, _, integration_id = target.partition("/")
            if kind != "integrations" or not integration_id:
                raise bad_request(f"Invalid Target: {target}. A target is integrations/{{id}}.")
            if items.item(conn, api_id, items.INTEGRATION, integration_id) is None:
                raise bad_request(f"Invalid integration {integration_id} in Target {target}.")

    def _models(self, conn: Connection, api_id: str, config: dict[str, Any]) -> None:
        """A WebSocket route's RequestModels name the API's models, chosen by its
        ModelSelectionExpression (validation happens only with one, as on AWS)."""
        if not config.get("RequestModels"):
            config.pop("RequestModels", None)  # {} clears them
        if not config.get("ModelSelectionExpression"):
            config.pop("ModelSelectionExpression", None)
        wanted = config.get("RequestModels") or {}
        if not wanted and not config.get("ModelSelectionExpression"):
            return
        if config["RouteKey"] in (CONNECT, DISCONNECT):
            raise bad_request(
                f"Lamina validates messages' bodies only: RequestModels and "
                f"ModelSelectionExpression on the {config['RouteKey']} route it does not support."
            )
        if wanted and not config.get("ModelSelectionExpression"):
            raise bad_request(
                "RequestModels need a ModelSelectionExpression (e.g. \\$default) to choose "
                "among them: without one, API Gateway validates nothing."
            )
        websocket_selection.parse(
            config["ModelSelectionExpression"], websocket_selection.REQUEST_VARIABLES,
            "ModelSelectionExpression",
        )  # fmt: skip
        known = model_names(conn, api_id)
        for key, name in wanted.items():
            if name not in known:
                raise bad_request(f"Invalid model {name} in RequestModels for key {key}: the "
                                  "API has no model by that name.")  # fmt: skip

    def _authorization(self, conn: Connection, api_id: str, config: dict[str, Any]) -> None:
        found = items.api(conn, api_id)
        if found is not None and is_websocket(found.config):
            websocket_route_authorization(config)
        route_authorization(conn, api_id, config)

    def _taken(self, conn: Connection, api_id: str, key: str, route_id: str | None) -> None:
        for route in items.all_items(conn, api_id, items.ROUTE):
            if route.config["RouteKey"] == key and route.item_id != route_id:
                raise conflict(f"Route with key {key} already exists for this API")

    def create_route(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        api_id = params["ApiId"]
        with self.store.write() as conn:
            self.find_api(conn, ctx, api_id)
            self._check(conn, api_id, params)
            self._taken(conn, api_id, params["RouteKey"], None)
            config = {n: params[n] for n in _SETTABLE if params.get(n)}
            self._authorization(conn, api_id, config)
            self._models(conn, api_id, config)
            made = items.insert_item(conn, api_id, items.ROUTE, config)
            self.redeploy(conn, api_id)
        self.changed(api_id)
        return present_route(made)

    def get_route(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            found = self.find_item(conn, ctx, params["ApiId"], items.ROUTE, params["RouteId"])
        return present_route(found)

    def get_routes(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            self.find_api(conn, ctx, params["ApiId"])
            found = items.all_items(conn, params["ApiId"], items.ROUTE)
        return page(found, params, present_route)

    def update_route(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        api_id, route_id = params["ApiId"], params["RouteId"]
        with self.store.write() as conn:
            found = self.find_item(conn, ctx, api_id, items.ROUTE, route_id)
            self._check(conn, api_id, params)
            if "RouteKey" in params:
                self._taken(conn, api_id, params["RouteKey"], route_id)
            config = {**found.config, **{n: params[n] for n in _SETTABLE if n in params}}
            if not config.get("Target"):
                config.pop("Target", None)  # Target "" detaches the integration
            if config.get("AuthorizationType") in ("NONE", "AWS_IAM"):
                config.pop("AuthorizerId", None)  # NONE and AWS_IAM detach the authorizer
            self._authorization(conn, api_id, config)
            self._models(conn, api_id, config)
            items.update_item(conn, api_id, items.ROUTE, route_id, config)
            self.redeploy(conn, api_id)
        self.changed(api_id)
        return present_route(items.Item(route_id, config, found.created_at))

    def delete_route(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        api_id = params["ApiId"]
        with self.store.write() as conn:
            self.find_item(conn, ctx, api_id, items.ROUTE, params["RouteId"])
            items.delete_item(conn, api_id, items.ROUTE, params["RouteId"])
            for response in items.all_items(conn, api_id, items.ROUTE_RESPONSE):
                if response.config["RouteId"] == params["RouteId"]:
                    items.delete_item(conn, api_id, items.ROUTE_RESPONSE, response.item_id)
            self.redeploy(conn, api_id)
        self.changed(api_id)
        return {}
