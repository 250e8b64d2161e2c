"""CreateApi, GetApi(s), UpdateApi, DeleteApi, DeleteCorsConfiguration. Quick create (Target,
RouteKey) makes the integration, the route and an AutoDeploy `$default` stage, as AWS does."""

from __future__ import annotations

from typing import Any

from lamina.context import RequestContext
from lamina.services import tagging
from lamina.services.apigatewayv2 import items, route_keys
from lamina.services.apigatewayv2.base import Base, page
from lamina.services.apigatewayv2.errors import bad_request, refuse_unsupported
from lamina.services.apigatewayv2.integration_operations import integration_config
from lamina.services.apigatewayv2.items import Api
from lamina.services.apigatewayv2.stage_operations import stage_config
from lamina.services.apigatewayv2.tag_operations import api_arn, forget_api
from lamina.services.apigatewayv2.websocket_settings import WEBSOCKET, is_websocket, selection_path

ROUTE_SELECTION = "$request.method $request.path"
API_KEY_SELECTION = "$request.header.x-api-key"
_UNSUPPORTED = {
    "CredentialsArn": "quick-create integration credentials",
    "DisableSchemaValidation": "a WebSocket API setting",
}
_SETTABLE = (
    "Name",
    "Description",
    "Version",
    "CorsConfiguration",
    "DisableExecuteApiEndpoint",
    "ApiKeySelectionExpression",
    "IpAddressType",
)


class ApiOperations(Base):
    def present_api(self, found: Api, tags: dict[str, str]) -> dict[str, Any]:
        config = found.config
        answer: dict[str, Any] = {
            "ApiEndpoint": self.endpoint(found.api_id, is_websocket(config)),
            "ApiId": found.api_id,
            "ApiKeySelectionExpression": config.get("ApiKeySelectionExpression", API_KEY_SELECTION),
            "CreatedDate": found.created_at,
            "DisableExecuteApiEndpoint": config.get("DisableExecuteApiEndpoint", False),
            "IpAddressType": config.get("IpAddressType", "ipv4"),
            "Name": config["Name"],
            "ProtocolType": config.get("ProtocolType", "HTTP"),
            "RouteSelectionExpression": config.get("RouteSelectionExpression", ROUTE_SELECTION),
            "Tags": tags,
        }
        for name in ("CorsConfiguration", "Description", "Version"):
            if name in config:
                answer[name] = config[name]
        return answer

    def create_api(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        protocol = params["ProtocolType"]
        if protocol not in ("HTTP", WEBSOCKET):
            raise bad_request(f"Invalid ProtocolType: {protocol}")
        refuse_unsupported(params, _UNSUPPORTED)
        _check_settings(params, protocol)
        target, route_key = params.get("Target"), params.get("RouteKey")
        if protocol == WEBSOCKET and (target or route_key or params.get("CorsConfiguration")):
            raise bad_request("Target, RouteKey and CorsConfiguration are for HTTP APIs only.")
        if route_key is not None and target is None:
            raise bad_request("RouteKey can be given only with Target (quick create).")
        if route_key is not None:
            route_keys.parse(route_key)
        config = {name: params[name] for name in _SETTABLE if name in params}
        if protocol == WEBSOCKET:
            config["ProtocolType"] = WEBSOCKET
            config["RouteSelectionExpression"] = params["RouteSelectionExpression"]
        tags = params.get("Tags") or {}
        with self.store.write() as conn:
            made = items.insert_api(conn, ctx.account_id, ctx.region, config)
            tagging.put_tags(conn, api_arn(ctx.region, made.api_id), tags)
            if target is not None:
                self._quick_create(conn, made.api_id, target, route_key or route_keys.DEFAULT)
        return self.present_api(made, tags)

    def _quick_create(self, conn: Any, api_id: str, target: str, route_key: str) -> None:
        kind = "HTTP_PROXY" if target.startswith(("http://", "https://")) else "AWS_PROXY"
        wanted: dict[str, Any] = {"IntegrationType": kind, "IntegrationUri": target}
        if kind == "AWS_PROXY":
            wanted["PayloadFormatVersion"] = "2.0"
        else:
            wanted["IntegrationMethod"] = "ANY"
        integration = items.insert_item(
            conn,
            api_id,
            items.INTEGRATION,
            {**integration_config(wanted), "ApiGatewayManaged": True},
        )
        route = {
            "RouteKey": route_key,
            "Target": f"integrations/{integration.item_id}",
            "ApiGatewayManaged": True,
        }
        items.insert_item(conn, api_id, items.ROUTE, route)
        stage = {**stage_config({"AutoDeploy": True}), "ApiGatewayManaged": True}
        made = items.insert_item(conn, api_id, items.STAGE, stage, route_keys.DEFAULT)
        self.point_stage(conn, api_id, made, self.deploy(conn, api_id, auto=True).item_id)

    def get_api(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            found = self.find_api(conn, ctx, params["ApiId"])
            return self.present_api(
                found, tagging.get_tags(conn, api_arn(ctx.region, found.api_id))
            )

    def get_apis(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            found = [
                (api, tagging.get_tags(conn, api_arn(ctx.region, api.api_id)))
                for api in items.apis_of(conn, ctx.account_id, ctx.region)
            ]
        return page(found, params, lambda entry: self.present_api(*entry))

    def update_api(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        refuse_unsupported(params, _UNSUPPORTED)
        if params.get("Target") or params.get("RouteKey"):
            raise bad_request(
                "Lamina does not support quick update (Target, RouteKey on UpdateApi) yet; "
                "update the integration or route itself."
            )
        with self.store.write() as conn:
            found = self.find_api(conn, ctx, params["ApiId"])
            protocol = found.config.get("ProtocolType", "HTTP")
            _check_settings(params, protocol, updating=True)
            config = {**found.config, **{n: params[n] for n in _SETTABLE if n in params}}
            if protocol == WEBSOCKET and params.get("RouteSelectionExpression"):
                config["RouteSelectionExpression"] = params["RouteSelectionExpression"]
            items.update_api(conn, found.api_id, config)
            tags = tagging.get_tags(conn, api_arn(ctx.region, found.api_id))
        self.changed(found.api_id)
        updated = Api(found.api_id, found.account_id, found.region, config, found.created_at)
        return self.present_api(updated, tags)

    def delete_api(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            found = self.find_api(conn, ctx, params["ApiId"])
            forget_api(conn, ctx.region, found.api_id)
            items.delete_api(conn, found.api_id)
        self.changed(found.api_id)
        return {}

    def delete_cors_configuration(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.write() as conn:
            found = self.find_api(conn, ctx, params["ApiId"])
            config = {k: v for k, v in found.config.items() if k != "CorsConfiguration"}
            items.update_api(conn, found.api_id, config)
        self.changed(found.api_id)
        return {}


def _check_settings(params: dict[str, Any], protocol: str, updating: bool = False) -> None:
    selection = params.get("RouteSelectionExpression")
    if protocol == WEBSOCKET:
        if selection is None and not updating:
            raise bad_request("RouteSelectionExpression is required for WebSocket APIs.")
        if selection is not None:
            selection_path(selection)
    elif selection is not None and selection != ROUTE_SELECTION:
        raise bad_request(
            f"Invalid RouteSelectionExpression: {selection}. HTTP APIs take only {ROUTE_SELECTION}."
        )
    if params.get("IpAddressType") not in (None, "ipv4", "dualstack"):
        raise bad_request(f"Invalid IpAddressType: {params['IpAddressType']}")
