"""Create/Get/Update/DeleteRouteResponse(s): a WebSocket API route's response makes it two-way,
the integration's answer sent back to the client. The `$default` route response key is the one
AWS supports (with the route's RouteResponseSelectionExpression `$default`), and the one Lamina
serves; route response models and parameters are refused."""

from __future__ import annotations

from typing import Any

from lamina.context import RequestContext
from lamina.services.apigatewayv2 import items
from lamina.services.apigatewayv2.base import Base, page
from lamina.services.apigatewayv2.errors import bad_request, conflict, not_found, refuse_unsupported
from lamina.services.apigatewayv2.websocket_settings import is_websocket

_UNSUPPORTED = {
    "ModelSelectionExpression": "models",
    "ResponseModels": "models",
    "ResponseParameters": "response parameters",
}


def present_route_response(found: items.Item) -> dict[str, Any]:
    return {"RouteResponseId": found.item_id, "RouteResponseKey": found.config["RouteResponseKey"]}


class RouteResponseOperations(Base):
    def _route_responses(self, conn: Any, api_id: str, route_id: str) -> list[items.Item]:
        return [
            r
            for r in items.all_items(conn, api_id, items.ROUTE_RESPONSE)
            if r.config["RouteId"] == route_id
        ]

    def _found(self, conn: Any, ctx: RequestContext, params: dict[str, Any]) -> items.Item:
        api_id, route_id = params["ApiId"], params["RouteId"]
        self.find_item(conn, ctx, api_id, items.ROUTE, route_id)
        for found in self._route_responses(conn, api_id, route_id):
            if found.item_id == params["RouteResponseId"]:
                return found
        raise not_found("RouteResponse", ctx.account_id, api_id, params["RouteResponseId"])

    def create_route_response(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        refuse_unsupported(params, _UNSUPPORTED)
        api_id, route_id, key = params["ApiId"], params["RouteId"], params["RouteResponseKey"]
        with self.store.write() as conn:
            api = self.find_api(conn, ctx, api_id)
            if not is_websocket(api.config):
                raise bad_request("Route responses are for WebSocket APIs only.")
            self.find_item(conn, ctx, api_id, items.ROUTE, route_id)
            if key != "$default":
                raise bad_request(
                    f"Lamina does not support RouteResponseKey {key} yet; $default it serves."
                )
            if self._route_responses(conn, api_id, route_id):
                raise conflict(f"RouteResponse with key {key} already exists for this route")
            config = {"RouteId": route_id, "RouteResponseKey": key}
            made = items.insert_item(conn, api_id, items.ROUTE_RESPONSE, config)
            self.redeploy(conn, api_id)
        self.changed(api_id)
        return present_route_response(made)

    def get_route_response(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            return present_route_response(self._found(conn, ctx, params))

    def get_route_responses(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            self.find_item(conn, ctx, params["ApiId"], items.ROUTE, params["RouteId"])
            found = self._route_responses(conn, params["ApiId"], params["RouteId"])
        return page(found, params, present_route_response)

    def update_route_response(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        refuse_unsupported(params, _UNSUPPORTED)
        with self.store.read() as conn:
            found = self._found(conn, ctx, params)
        if params.get("RouteResponseKey") not in (None, "$default"):
            raise bad_request(
                f"Lamina does not support RouteResponseKey {params['RouteResponseKey']} yet."
            )
        return present_route_response(found)  # nothing else to change: $default it stays

    def delete_route_response(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        api_id = params["ApiId"]
        with self.store.write() as conn:
            found = self._found(conn, ctx, params)
            items.delete_item(conn, api_id, items.ROUTE_RESPONSE, found.item_id)
            self.redeploy(conn, api_id)
        self.changed(api_id)
        return {}
