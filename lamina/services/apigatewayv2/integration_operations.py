"""Create/Get/Update/DeleteIntegration(s): AWS_PROXY to a Lambda function (payload format 2.0
or 1.0) or, with an IntegrationSubtype, to an AWS service's action (service_integrations.py),
HTTP_PROXY to a URL (http_proxy.py passes requests on). RequestParameters map a Lambda or
HTTP request first (parameter_mapping.py), ResponseParameters its answer
(response_mapping.py). A WebSocket API's integrations take more (websocket_settings.py): AWS,
HTTP and MOCK, with request templates."""

from __future__ import annotations

import re
from typing import Any

from lamina.context import RequestContext
from lamina.services.apigatewayv2 import (
    integration_response_operations,
    items,
    parameter_mapping,
    response_mapping,
    service_integrations,
    websocket_settings,
)
from lamina.services.apigatewayv2.base import Base, page
from lamina.services.apigatewayv2.errors import bad_request, conflict, refuse_unsupported

# WebSocket APIs' settings: HTTP APIs refuse them
WEBSOCKET_ONLY = (
    "RequestTemplates",
    "TemplateSelectionExpression",
    "PassthroughBehavior",
    "ContentHandlingStrategy",
)
UNSUPPORTED = {
    "ConnectionId": "VPC links",
    "TlsConfig": "private integrations",
}
_SETTABLE = (
    "IntegrationType",
    "IntegrationUri",
    "IntegrationMethod",
    "PayloadFormatVersion",
    "TimeoutInMillis",
    "Description",
    "ConnectionType",
    "RequestParameters",
    "IntegrationSubtype",
    "CredentialsArn",  # kept, not assumed: service_integrations.py
    "ResponseParameters",
    *WEBSOCKET_ONLY,
)
_FUNCTION_ARN = re.compile(
    r"^arn:aws:lambda:([a-z0-9-]+):(\d{12}):function:[A-Za-z0-9_-]+(:[A-Za-z0-9$_-]+)?$"
)
# API Gateway's own form of it:
# arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations
_INVOCATIONS = re.compile(
    r"^arn:aws:apigateway:[a-z0-9-]+:lambda:path/2015-03-31/functions/(.+)/invocations$"
)


def function_arn(uri: str) -> str | None:
    """The Lambda function an AWS_PROXY integration's IntegrationUri names."""
    found = _INVOCATIONS.match(uri)
    arn = found.group(1) if found else uri
    return arn if _FUNCTION_ARN.match(arn) else None


def integration_config(wanted: dict[str, Any]) -> dict[str, Any]:
    """An integration's stored configuration, its defaults filled in, or BadRequestException."""
    kind = wanted.get("IntegrationType")
    for name in WEBSOCKET_ONLY:
        if wanted.get(name) not in (None, "", {}):
            raise bad_request(f"{name} is supported only for WebSocket APIs.")
        wanted.pop(name, None)
    if kind in ("AWS", "HTTP", "MOCK"):
        raise bad_request(f"IntegrationType {kind} is not supported for HTTP APIs.")
    if kind not in ("AWS_PROXY", "HTTP_PROXY"):
        raise bad_request(f"Invalid IntegrationType: {kind}")
    if wanted.get("ConnectionType", "INTERNET") != "INTERNET":
        raise bad_request("Lamina does not support ConnectionType VPC_LINK (VPC links) yet.")
    uri = wanted.get("IntegrationUri")
    config: dict[str, Any] = {"ConnectionType": "INTERNET", **wanted}
    if config.get("IntegrationSubtype"):
        if kind != "AWS_PROXY":
            raise bad_request("IntegrationSubtype is only supported for AWS_PROXY integrations.")
        if uri:
            raise bad_request("IntegrationUri is not supported for AWS service integrations.")
        config.setdefault("PayloadFormatVersion", "1.0")
        service_integrations.check(config)
        return _timeout(_response_parameters(config))
    config.pop("IntegrationSubtype", None)
    if config.get("CredentialsArn"):
        raise bad_request(
            "Lamina supports CredentialsArn for AWS service integrations (IntegrationSubtype) "
            "only, not yet for Lambda or HTTP integrations."
        )
    if kind == "AWS_PROXY":
        if not uri or function_arn(uri) is None:
            raise bad_request(
                f"Invalid IntegrationUri: {uri}. An AWS_PROXY integration of an HTTP API takes "
                "a Lambda function ARN."
            )
        config.setdefault("IntegrationMethod", "POST")
        config.setdefault("PayloadFormatVersion", "1.0")
        if config["PayloadFormatVersion"] not in ("1.0", "2.0"):
            raise bad_request(
                f"Invalid PayloadFormatVersion: {config['PayloadFormatVersion']}. "
                "Lambda integrations take 1.0 or 2.0."
            )
    else:
        if not uri or not uri.startswith(("http://", "https://")):
            raise bad_request(f"Invalid IntegrationUri: {uri}. HTTP_PROXY takes an http(s) URL.")
        if not config.get("IntegrationMethod"):
            raise bad_request("IntegrationMethod is required for HTTP_PROXY integrations.")
        config.setdefault("PayloadFormatVersion", "1.0")
        if config["PayloadFormatVersion"] != "1.0":
            raise bad_request("HTTP_PROXY integrations take PayloadFormatVersion 1.0.")
    if config.get("RequestParameters"):
        parameter_mapping.check(config["RequestParameters"])
    else:
        config.pop("RequestParameters", None)  # {} clears the mapping
    return _timeout(_response_parameters(config))


def _response_parameters(config: dict[str, Any]) -> dict[str, Any]:
    if config.get("ResponseParameters"):
        response_mapping.check(config["ResponseParameters"])
    else:
        config.pop("ResponseParameters", None)  # {} clears the mapping
    return config


def _timeout(config: dict[str, Any]) -> dict[str, Any]:
    timeout = config.setdefault("TimeoutInMillis", 30000)
    if not 50 <= timeout <= 30000:
        raise bad_request("TimeoutInMillis must be between 50 and 30000 for HTTP APIs.")
    return config


def _config_for(api: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    if websocket_settings.is_websocket(api):
        return websocket_settings.integration_config(wanted)
    return integration_config(wanted)


def present_integration(found: items.Item) -> dict[str, Any]:
    answer = {"IntegrationId": found.item_id, **found.config}
    answer.setdefault("ApiGatewayManaged", False)
    return answer


class IntegrationOperations(Base):
    def create_integration(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        refuse_unsupported(params, UNSUPPORTED)
        wanted = {n: params[n] for n in _SETTABLE if n in params}
        with self.store.write() as conn:
            api = self.find_api(conn, ctx, params["ApiId"])
            config = _config_for(api.config, wanted)
            made = items.insert_item(conn, params["ApiId"], items.INTEGRATION, config)
            self.redeploy(conn, params["ApiId"])
        self.changed(params["ApiId"])
        return present_integration(made)

    def get_integration(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            found = self.find_item(
                conn, ctx, params["ApiId"], items.INTEGRATION, params["IntegrationId"]
            )
        return present_integration(found)

    def get_integrations(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            self.find_api(conn, ctx, params["ApiId"])
            found = items.all_items(conn, params["ApiId"], items.INTEGRATION)
        return page(found, params, present_integration)

    def update_integration(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        refuse_unsupported(params, UNSUPPORTED)
        api_id, integration_id = params["ApiId"], params["IntegrationId"]
        with self.store.write() as conn:
            found = self.find_item(conn, ctx, api_id, items.INTEGRATION, integration_id)
            wanted = {k: v for k, v in found.config.items() if k != "ApiGatewayManaged"}
            wanted.update({n: params[n] for n in _SETTABLE if n in params})
            if wanted["IntegrationType"] != found.config["IntegrationType"]:
                # the other type's defaults do not carry over
                for name in ("IntegrationMethod", "PayloadFormatVersion", "IntegrationSubtype",
                             "PassthroughBehavior"):  # fmt: skip
                    if name not in params:
                        wanted.pop(name, None)
            config = _config_for(items.api(conn, api_id).config, wanted)  # type: ignore[union-attr]
            answers = integration_response_operations.responses_of(conn, api_id, integration_id)
            if answers and config["IntegrationType"] in websocket_settings.PROXIES:
                raise bad_request(
                    f"Integration {integration_id} has integration responses, which "
                    f"{config['IntegrationType']} integrations do not take; delete them first."
                )
            if found.config.get("ApiGatewayManaged"):
                config["ApiGatewayManaged"] = True
            items.update_item(conn, api_id, items.INTEGRATION, integration_id, config)
            self.redeploy(conn, api_id)
        self.changed(api_id)
        return present_integration(items.Item(integration_id, config, found.created_at))

    def delete_integration(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        api_id, integration_id = params["ApiId"], params["IntegrationId"]
        with self.store.write() as conn:
            self.find_item(conn, ctx, api_id, items.INTEGRATION, integration_id)
            target = f"integrations/{integration_id}"
            users = [
                r.config["RouteKey"]
                for r in items.all_items(conn, api_id, items.ROUTE)
                if r.config.get("Target") == target
            ]
            if users:
                raise conflict(
                    f"Integration {integration_id} is the target of route(s) "
                    f"{', '.join(users)}; change or delete them first."
                )
            items.delete_item(conn, api_id, items.INTEGRATION, integration_id)
            for answer in integration_response_operations.responses_of(
                conn, api_id, integration_id
            ):
                items.delete_item(
                    conn, api_id, integration_response_operations.INTEGRATION_RESPONSE,
                    answer.item_id,
                )  # fmt: skip
            self.redeploy(conn, api_id)
        self.changed(api_id)
        return {}
