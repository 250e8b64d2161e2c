"""Create/Get/Update/DeleteStage(s): `$default` (answers without a stage segment) or a named
stage (at /{stage}/…), each serving one deployment; AutoDeploy stages get a new one at every
change of routes or integrations. StageVariables reach functions in the event. Throttling
(DefaultRouteSettings, RouteSettings by route key) is kept here and enforced by throttling.py,
for HTTP APIs. AccessLogSettings name the CloudWatch Logs log group each request's line goes
to (lamina/services/access_logs/); DeleteAccessLogSettings turns them off.
ResetAuthorizersCache makes the stage ask its Lambda authorizers anew."""

from __future__ import annotations

import re
import time
from typing import Any

from sqlalchemy.engine import Connection

from lamina.context import RequestContext
from lamina.services import api_gateway_account, tagging
from lamina.services.access_logs import settings as access_log_settings
from lamina.services.apigatewayv2 import items, throttling, websocket_settings
from lamina.services.apigatewayv2.base import Base, page
from lamina.services.apigatewayv2.errors import (
    bad_request,
    conflict,
    not_found,
    not_supported,
    refuse_unsupported,
)
from lamina.services.apigatewayv2.served import AUTHORIZERS_RESET
from lamina.services.apigatewayv2.tag_operations import stage_arn

_UNSUPPORTED = {"ClientCertificateId": "a WebSocket API setting"}
_ACCESS_LOG = "AccessLogSettings"
_NAME = re.compile(r"^(\$default|[A-Za-z0-9_-]{1,128})$")
_VARIABLE_NAME = re.compile(r"^[A-Za-z0-9_]{1,64}$")
_VARIABLE_VALUE = re.compile(r"^[A-Za-z0-9\-._~:/?#&=,]{1,512}$")
_SETTABLE = ("AutoDeploy", "Description", "StageVariables")


def stage_config(params: dict[str, Any]) -> dict[str, Any]:
    config = {n: params[n] for n in _SETTABLE if n in params}
    config.setdefault("AutoDeploy", False)
    config["LastUpdated"] = time.time()
    return config


def _throttling(settings: dict[str, Any], where: str) -> dict[str, Any]:
    """The throttling limits of one RouteSettings; anything else it sets refused by name."""
    for name, value in settings.items():
        if name not in throttling.NAMES and value not in (None, False):
            raise bad_request(
                f"Lamina does not support {name} in {where} (detailed metrics, logging) yet; "
                "it enforces ThrottlingBurstLimit and ThrottlingRateLimit."
            )
    kept = {n: settings[n] for n in throttling.NAMES if settings.get(n) is not None}
    if any(value < 0 for value in kept.values()):
        raise bad_request(f"Invalid {where}: throttling limits cannot be negative.")
    return kept


def _settings(params: dict[str, Any], config: dict[str, Any]) -> None:
    """Into `config`: the throttling limits `params` sets (RouteSettings merged by route key,
    as UpdateStage does)."""
    if "DefaultRouteSettings" in params:
        config["DefaultRouteSettings"] = _throttling(
            params["DefaultRouteSettings"] or {}, "DefaultRouteSettings"
        )
    routes = dict(config.get("RouteSettings") or {})
    for route_key, settings in (params.get("RouteSettings") or {}).items():
        routes[route_key] = _throttling(settings or {}, f"RouteSettings of {route_key}")
    config["RouteSettings"] = {k: v for k, v in routes.items() if v}


def _access_log(
    conn: Connection, params: dict[str, Any], config: dict[str, Any], api: items.Api
) -> None:
    """Into `config`: the AccessLogSettings `params` gives (replacing the stage's; without a
    destination, access logging is off). A WebSocket API's stage, as a REST API's, logs only
    once the account has its CloudWatch Logs role (HTTP APIs need none)."""
    if _ACCESS_LOG not in params:
        return
    given = params[_ACCESS_LOG] or {}
    arn, log_format = given.get("DestinationArn"), given.get("Format")
    owner = api.account_id
    try:
        access_log_settings.check(arn, log_format, owner)
    except access_log_settings.Invalid as error:
        raise bad_request(str(error)) from None
    except access_log_settings.Unsupported as error:
        raise not_supported(str(error)) from None
    if arn:
        wanted = {"DestinationArn": arn, "Format": log_format}
        if (
            wanted != config.get(_ACCESS_LOG)
            and websocket_settings.is_websocket(api.config)
            and not api_gateway_account.may_log(conn, api.account_id, api.region)
        ):
            raise bad_request(api_gateway_account.NEEDS_ROLE)
        config[_ACCESS_LOG] = wanted
    else:
        config.pop(_ACCESS_LOG, None)


def _check(params: dict[str, Any]) -> None:
    refuse_unsupported(params, _UNSUPPORTED)
    for name, value in (params.get("StageVariables") or {}).items():
        if not _VARIABLE_NAME.match(name) or not _VARIABLE_VALUE.match(value):
            raise bad_request(
                f"Invalid stage variable {name}: names take [A-Za-z0-9_], values "
                "[A-Za-z0-9-._~:/?#&=,]."
            )


def present_stage(found: items.Item, tags: dict[str, str]) -> dict[str, Any]:
    config = found.config
    answer: dict[str, Any] = {
        "ApiGatewayManaged": config.get("ApiGatewayManaged", False),
        "AutoDeploy": config["AutoDeploy"],
        "CreatedDate": found.created_at,
        "DefaultRouteSettings": {
            "DetailedMetricsEnabled": False,
            **config.get("DefaultRouteSettings", {}),
        },
        "LastUpdatedDate": config["LastUpdated"],
        "RouteSettings": {
            key: {"DetailedMetricsEnabled": False, **settings}
            for key, settings in config.get("RouteSettings", {}).items()
        },
        "StageName": found.item_id,
        "StageVariables": config.get("StageVariables", {}),
        "Tags": tags,
    }
    for name in (_ACCESS_LOG, "DeploymentId", "Description"):
        if name in config:
            answer[name] = config[name]
    return answer


class StageOperations(Base):
    def create_stage(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        _check(params)
        api_id, name = params["ApiId"], params["StageName"]
        if not _NAME.match(name):
            raise bad_request(f"Invalid stage name: {name}. Stage names take [A-Za-z0-9_-].")
        config = stage_config(params)
        with self.store.write() as conn:
            api = self.find_api(conn, ctx, api_id)  # it exists, and is the caller's
            _settings(params, config)
            _access_log(conn, params, config, api)
            if items.item(conn, api_id, items.STAGE, name) is not None:
                raise conflict(f"Stage {name} already exists")
            if params.get("DeploymentId"):
                if items.item(conn, api_id, items.DEPLOYMENT, params["DeploymentId"]) is None:
                    raise not_found("Deployment", ctx.account_id, api_id, params["DeploymentId"])
                config["DeploymentId"] = params["DeploymentId"]
            made = items.insert_item(conn, api_id, items.STAGE, config, name)
            tags = params.get("Tags") or {}
            tagging.put_tags(conn, stage_arn(ctx.region, api_id, name), tags)
            if config["AutoDeploy"]:
                self.point_stage(conn, api_id, made, self.deploy(conn, api_id, auto=True).item_id)
                made = items.item(conn, api_id, items.STAGE, name) or made
        self.changed(api_id)
        return present_stage(made, tags)

    def get_stage(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            found = self.find_item(conn, ctx, params["ApiId"], items.STAGE, params["StageName"])
            tags = tagging.get_tags(conn, stage_arn(ctx.region, params["ApiId"], found.item_id))
        return present_stage(found, tags)

    def get_stages(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            self.find_api(conn, ctx, params["ApiId"])
            found = [
                (
                    stage,
                    tagging.get_tags(conn, stage_arn(ctx.region, params["ApiId"], stage.item_id)),
                )
                for stage in items.all_items(conn, params["ApiId"], items.STAGE)
            ]
        return page(found, params, lambda entry: present_stage(*entry))

    def update_stage(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        _check(params)
        api_id, name = params["ApiId"], params["StageName"]
        with self.store.write() as conn:
            found = self.find_item(conn, ctx, api_id, items.STAGE, name)
            config = {**found.config, **{n: params[n] for n in _SETTABLE if n in params}}
            api = items.api(conn, api_id)
            assert api is not None  # find_item found the API
            _settings(params, config)
            _access_log(conn, params, config, api)
            config["LastUpdated"] = time.time()
            if params.get("DeploymentId"):
                if items.item(conn, api_id, items.DEPLOYMENT, params["DeploymentId"]) is None:
                    raise not_found("Deployment", ctx.account_id, api_id, params["DeploymentId"])
                config["DeploymentId"] = params["DeploymentId"]
            items.update_item(conn, api_id, items.STAGE, name, config)
            if params.get("AutoDeploy") and not found.config["AutoDeploy"]:
                stage = items.Item(name, config, found.created_at)
                self.point_stage(conn, api_id, stage, self.deploy(conn, api_id, auto=True).item_id)
            now = items.item(conn, api_id, items.STAGE, name)
            tags = tagging.get_tags(conn, stage_arn(ctx.region, api_id, name))
        self.changed(api_id)
        assert now is not None
        return present_stage(now, tags)

    def delete_route_settings(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        api_id, name, route_key = params["ApiId"], params["StageName"], params["RouteKey"]
        with self.store.write() as conn:
            found = self.find_item(conn, ctx, api_id, items.STAGE, name)
            routes = dict(found.config.get("RouteSettings") or {})
            if routes.pop(route_key, None) is None:
                raise not_found("RouteSettings", ctx.account_id, api_id, name, route_key)
            config = {**found.config, "RouteSettings": routes, "LastUpdated": time.time()}
            items.update_item(conn, api_id, items.STAGE, name, config)
        self.changed(api_id)
        return {}

    def delete_access_log_settings(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        """Access logging off for the stage (it may have been off already)."""
        api_id, name = params["ApiId"], params["StageName"]
        with self.store.write() as conn:
            found = self.find_item(conn, ctx, api_id, items.STAGE, name)
            config = {k: v for k, v in found.config.items() if k != _ACCESS_LOG}
            config["LastUpdated"] = time.time()
            items.update_item(conn, api_id, items.STAGE, name, config)
        self.changed(api_id)
        return {}

    def reset_authorizers_cache(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        """The Lambda authorizers' answers kept until now are not used on the stage again; every
        node of a fleet sees the stage's reset time (within ServedApis' TTL_S)."""
        api_id, name = params["ApiId"], params["StageName"]
        with self.store.write() as conn:
            found = self.find_item(conn, ctx, api_id, items.STAGE, name)
            config = {**found.config, AUTHORIZERS_RESET: time.time()}
            items.update_item(conn, api_id, items.STAGE, name, config)
        self.changed(api_id)
        return {}

    def delete_stage(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        api_id = params["ApiId"]
        with self.store.write() as conn:
            self.find_item(conn, ctx, api_id, items.STAGE, params["StageName"])
            tagging.remove_tags(conn, stage_arn(ctx.region, api_id, params["StageName"]))
            items.delete_item(conn, api_id, items.STAGE, params["StageName"])
        self.changed(api_id)
        return {}
