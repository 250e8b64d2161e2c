"""ExportApi: an HTTP API as an OpenAPI 3.0 document (Specification OAS30, OutputType JSON or
YAML), as https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-export.html
says: the API's routes as they are now, or, with a StageName, those of the deployment the
stage serves. With IncludeExtensions (the default), the x-amazon-apigateway-* extensions
(integrations, authorizers, CORS, the `$default` route's isDefaultRoute) go with it; ImportApi
reads the document back to the same routes."""

from __future__ import annotations

import time
from typing import Any

from lamina.context import RequestContext
from lamina.services import openapi_documents
from lamina.services.apigatewayv2 import items, route_keys
from lamina.services.apigatewayv2.base import Base
from lamina.services.apigatewayv2.errors import bad_request, not_found
from lamina.services.apigatewayv2.items import Api
from lamina.services.apigatewayv2.openapi_import import (
    ANY,
    AUTH_TYPE,
    AUTHORIZER_EXTENSION,
    CORS,
    CORS_NAMES,
    ENDPOINT,
    IMPORT_EXPORT_VERSION,
    INTEGRATION,
    INTEGRATION_NAMES,
)
from lamina.services.apigatewayv2.websocket_settings import is_websocket

SIGV4 = "sigv4"  # the security scheme AWS_IAM routes name
_OUTPUT_TYPES = ("JSON", "YAML")


def _integration(config: dict[str, Any]) -> dict[str, Any]:
    names = {member: key for key, member in INTEGRATION_NAMES.items()}
    out: dict[str, Any] = {}
    for member, value in config.items():
        key = names.get(member)
        if key is not None and value not in (None, "", {}, []):
            out[key] = value.lower() if member == "IntegrationType" else value
    return out


def _scheme(authorizer: dict[str, Any], extensions: bool) -> dict[str, Any]:
    """An authorizer as the security scheme ImportApi reads back."""
    sources = authorizer.get("IdentitySource") or []
    if authorizer["AuthorizerType"] == "JWT":
        scheme: dict[str, Any] = {"type": "oauth2", "flows": {}}
        declared: dict[str, Any] = {
            "type": "jwt",
            "identitySource": ",".join(sources),
            "jwtConfiguration": {
                "issuer": authorizer["JwtConfiguration"]["Issuer"],
                "audience": authorizer["JwtConfiguration"]["Audience"],
            },
        }
    else:
        header = next((s.removeprefix("$request.header.") for s in sources
                       if s.startswith("$request.header.")), "Unused")  # fmt: skip
        scheme = {"type": "apiKey", "name": header, "in": "header"}
        declared = {
            "type": "request",
            "identitySource": ",".join(sources),
            "authorizerUri": authorizer["AuthorizerUri"],
            "authorizerPayloadFormatVersion": authorizer["AuthorizerPayloadFormatVersion"],
            "authorizerResultTtlInSeconds": authorizer["AuthorizerResultTtlInSeconds"],
            "enableSimpleResponses": authorizer["EnableSimpleResponses"],
        }
    if extensions:
        scheme[AUTHORIZER_EXTENSION] = declared
    return scheme


def _path_parameters(key: route_keys.RouteKey) -> list[dict[str, Any]]:
    found = []
    for segment in key.segments:
        if segment.startswith("{") and segment.endswith("}"):
            name = segment[1:-1].removesuffix("+")
            found.append(
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            )
    return found


def document(
    api: Api, stage: str | None, snapshot: dict[str, Any], extensions: bool
) -> dict[str, Any]:
    config = api.config
    version = config.get("Version") or time.strftime(
        "%Y-%m-%d %H:%M:%SUTC", time.gmtime(api.created_at)
    )
    info: dict[str, Any] = {"title": config["Name"], "version": version}
    if config.get("Description"):
        info["description"] = config["Description"]
    host = f"https://{api.api_id}.execute-api.{api.region}.amazonaws.com"
    base = "" if stage in (None, route_keys.DEFAULT) else stage
    doc: dict[str, Any] = {
        "openapi": "3.0.1",
        "info": info,
        "servers": [{"url": host + "/{basePath}", "variables": {"basePath": {"default": base}}}],
    }
    authorizers: dict[str, dict[str, Any]] = snapshot.get("Authorizers") or {}
    integrations: dict[str, dict[str, Any]] = snapshot.get("Integrations") or {}
    paths: dict[str, dict[str, Any]] = {}
    signed = False
    for route in sorted(snapshot.get("Routes") or [], key=lambda r: r["RouteKey"]):
        text = route["RouteKey"]
        operation: dict[str, Any] = {}
        if text == route_keys.DEFAULT:
            path, verb = "/$default", ANY
            if extensions:
                operation["isDefaultRoute"] = True
        else:
            key = route_keys.parse(text)
            path, verb = key.path, ANY if key.method == "ANY" else key.method.lower()
            parameters = _path_parameters(key)
            if parameters:
                operation["parameters"] = parameters
        if route.get("OperationName"):
            operation["operationId"] = route["OperationName"]
        operation["responses"] = {"default": {"description": f"Default response for {text}"}}
        kind = route.get("AuthorizationType", "NONE")
        authorizer = authorizers.get(route.get("AuthorizerId") or "")
        if kind in ("JWT", "CUSTOM") and authorizer is not None:
            operation["security"] = [{authorizer["Name"]: route.get("AuthorizationScopes") or []}]
        elif kind == "AWS_IAM":
            operation["security"] = [{SIGV4: []}]
            signed = True
        integration_id = (route.get("Target") or "").removeprefix("integrations/")
        if extensions and integration_id in integrations:
            operation[INTEGRATION] = _integration(integrations[integration_id])
        paths.setdefault(path, {})[verb] = operation
    doc["paths"] = paths
    schemes = {a["Name"]: _scheme(a, extensions) for a in authorizers.values()}
    if signed:
        schemes[SIGV4] = {"type": "apiKey", "name": "Authorization", "in": "header",
                          AUTH_TYPE: "awsSigv4"}  # fmt: skip
    if schemes:
        doc["components"] = {"securitySchemes": schemes}
    if extensions:
        if config.get("CorsConfiguration"):
            names = {member: key for key, member in CORS_NAMES.items()}
            doc[CORS] = {names[k]: v for k, v in config["CorsConfiguration"].items() if k in names}
        if config.get("DisableExecuteApiEndpoint"):
            doc[ENDPOINT] = {"disableExecuteApiEndpoint": True}
        doc[IMPORT_EXPORT_VERSION] = "1.0"
    return doc


class ExportOperations(Base):
    def export_api(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        specification, output = params["Specification"], params["OutputType"]
        if specification != "OAS30":
            raise bad_request(f"Invalid Specification: {specification}. HTTP APIs export OAS30.")
        if output not in _OUTPUT_TYPES:
            raise bad_request(f"Invalid OutputType: {output}. Choose JSON or YAML.")
        if params.get("ExportVersion") not in (None, "1.0"):
            raise bad_request(f"Invalid ExportVersion: {params['ExportVersion']}. Only 1.0.")
        extensions = params.get("IncludeExtensions", True) is not False
        stage_name = params.get("StageName")
        with self.store.read() as conn:
            api = self.find_api(conn, ctx, params["ApiId"])
            if is_websocket(api.config):
                raise bad_request("ExportApi is supported only for HTTP APIs.")
            if stage_name:
                stage = items.item(conn, api.api_id, items.STAGE, stage_name)
                if stage is None:
                    raise not_found("stage", ctx.account_id, api.api_id, stage_name)
                deployment_id = stage.config.get("DeploymentId")
                deployment = (
                    items.item(conn, api.api_id, items.DEPLOYMENT, deployment_id)
                    if deployment_id
                    else None
                )
                if deployment is None:
                    raise bad_request(
                        f"Stage {stage_name} has no deployment to export; deploy it, or "
                        "export without StageName for the API's latest configuration."
                    )
                snapshot = deployment.config["Snapshot"]
            else:
                snapshot = self.snapshot(conn, api.api_id)
        doc = document(api, stage_name, snapshot, extensions)
        return {"body": openapi_documents.dump(doc, output == "YAML")}
