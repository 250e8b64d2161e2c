"""ImportApi and ReimportApi: an HTTP API from an OpenAPI 3.0 document (JSON or YAML), as
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-open-api.html reads it.

The document gives the API's name (info.title), description and version, its CORS
(x-amazon-apigateway-cors) and whether its default endpoint is off
(x-amazon-apigateway-endpoint-configuration); a route per path and method
(x-amazon-apigateway-any-method is ANY; the `/$default` path's, or one with isDefaultRoute,
is `$default`), each with the integration its x-amazon-apigateway-integration describes; the
authorizers of components.securitySchemes (x-amazon-apigateway-authorizer: jwt or request;
x-amazon-apigateway-authtype awsSigv4 is AWS_IAM), which routes name in `security`. AWS
variables (${AWS::AccountId}, ${AWS::Partition}, ${AWS::Region}) are resolved first.

Everything is checked as CreateIntegration, CreateAuthorizer and CreateRoute check it, before
one transaction writes it all: a document with an error creates or changes nothing. What the
document says that Lamina does not read is a warning (`Warnings`; with FailOnWarnings, the
import is refused); what HTTP APIs do not use (request bodies' schemas) is `ImportInfo`.
ReimportApi replaces the API's definition, its routes, integrations and authorizers with the
document's; its stages and deployments stay (AutoDeploy stages get the new routes)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from lamina.context import RequestContext
from lamina.protocol.errors import ServiceError
from lamina.services import openapi_documents, tagging
from lamina.services.apigatewayv2 import items, route_keys
from lamina.services.apigatewayv2.api_operations import ApiOperations
from lamina.services.apigatewayv2.authorizer_operations import (
    AUTHORIZER,
    authorizer_config,
    route_authorization,
)
from lamina.services.apigatewayv2.authorizer_operations import (
    UNSUPPORTED as AUTHORIZER_UNSUPPORTED,
)
from lamina.services.apigatewayv2.errors import bad_request, refuse_unsupported
from lamina.services.apigatewayv2.integration_operations import (
    UNSUPPORTED as INTEGRATION_UNSUPPORTED,
)
from lamina.services.apigatewayv2.integration_operations import integration_config
from lamina.services.apigatewayv2.items import Api
from lamina.services.apigatewayv2.tag_operations import api_arn
from lamina.services.apigatewayv2.websocket_settings import is_websocket

X = "x-amazon-apigateway-"
ANY = "x-amazon-apigateway-any-method"
INTEGRATION = "x-amazon-apigateway-integration"
AUTHORIZER_EXTENSION = "x-amazon-apigateway-authorizer"
AUTH_TYPE = "x-amazon-apigateway-authtype"
CORS = "x-amazon-apigateway-cors"
ENDPOINT = "x-amazon-apigateway-endpoint-configuration"
IMPORT_EXPORT_VERSION = "x-amazon-apigateway-importexport-version"
DEFAULT_PATHS = ("/$default", "$default")
VERBS = ("get", "put", "post", "delete", "patch", "options", "head")

# The API's settings the document defines: ReimportApi replaces them all.
DEFINED = ("Name", "Description", "Version", "CorsConfiguration", "DisableExecuteApiEndpoint")

# x-amazon-apigateway-cors's properties, CorsConfiguration's members.
CORS_NAMES = {
    "allowOrigins": "AllowOrigins", "allowCredentials": "AllowCredentials",
    "exposeHeaders": "ExposeHeaders", "maxAge": "MaxAge", "allowMethods": "AllowMethods",
    "allowHeaders": "AllowHeaders",
}  # fmt: skip
# x-amazon-apigateway-integration's properties, CreateIntegration's parameters.
INTEGRATION_NAMES = {
    "type": "IntegrationType", "httpMethod": "IntegrationMethod", "uri": "IntegrationUri",
    "payloadFormatVersion": "PayloadFormatVersion", "connectionType": "ConnectionType",
    "connectionId": "ConnectionId", "credentials": "CredentialsArn",
    "integrationSubtype": "IntegrationSubtype", "requestParameters": "RequestParameters",
    "responseParameters": "ResponseParameters", "timeoutInMillis": "TimeoutInMillis",
    "tlsConfig": "TlsConfig", "description": "Description",
}  # fmt: skip
_JWT_KEYS = {"type", "jwtConfiguration", "identitySource"}
_REQUEST_KEYS = {
    "type", "identitySource", "authorizerUri", "authorizerPayloadFormatVersion",
    "authorizerResultTtlInSeconds", "enableSimpleResponses", "authorizerCredentials",
}  # fmt: skip
_WELL_KNOWN = "/.well-known/openid-configuration"


def invalid(message: str) -> ServiceError:
    return bad_request(f"Invalid OpenAPI input: {message}")


@contextmanager
def where(at: str) -> Iterator[None]:
    """A BadRequestException raised inside says where in the document it was found."""
    try:
        yield
    except ServiceError as error:
        if error.code != "BadRequestException":
            raise
        raise bad_request(f"{error.message} ({at})") from None


@dataclass
class Route:
    config: dict[str, Any]  # RouteKey, OperationName, AuthorizationType, AuthorizationScopes
    integration: int | None = None  # its index in Imported.integrations
    authorizer: str | None = None  # its security scheme's name


@dataclass
class Imported:
    """The HTTP API as the document describes it, checked, not yet written."""

    config: dict[str, Any]
    authorizers: dict[str, dict[str, Any]] = field(default_factory=dict)  # scheme → config
    integrations: list[dict[str, Any]] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    info: list[str] = field(default_factory=list)


def _version_text(value: Any) -> str:
    """A payload format version as YAML may give it: 2.0 (a float) or 2 read as "2.0"."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return f"{float(value):.1f}"
    return str(value)


def _sources(value: Any) -> list[str]:
    """identitySource: one string, its sources separated by commas (as AWS writes it), or a
    list."""
    if value is None:
        return []
    listed = value if isinstance(value, list) else str(value).split(",")
    return [str(s).strip() for s in listed if str(s).strip()]


class Reader:
    def __init__(self, document: dict[str, Any], basepath: str) -> None:
        self.document = document
        self.basepath = basepath
        self.imported = Imported({})
        components = document.get("components") or {}
        if not isinstance(components, dict):
            raise invalid("components must be an object.")
        self.schemes = components.get("securitySchemes") or {}
        if not isinstance(self.schemes, dict):
            raise invalid("components.securitySchemes must be an object.")
        self.route_keys: set[str] = set()

    def warn(self, message: str) -> None:
        self.imported.warnings.append(message)

    def unknown_extensions(self, found: dict[str, Any], known: set[str], at: str) -> None:
        for key in found:
            if str(key).startswith(X) and key not in known:
                self.warn(f"Lamina does not support the extension {key} ({at}) yet: ignored")

    def read(self) -> Imported:
        document = self.document
        if "swagger" in document:
            raise bad_request(
                "Swagger 2.0 definitions cannot be imported as HTTP APIs: import an OpenAPI 3.0 "
                "definition (openapi: 3.0.x)."
            )
        version = str(document.get("openapi") or "")
        if not version.startswith("3.0"):
            raise invalid(
                f"openapi {version or '(missing)'}: HTTP APIs are imported from OpenAPI 3.0 "
                "definitions (openapi: 3.0.x)."
            )
        info = document.get("info") or {}
        if not isinstance(info, dict) or not str(info.get("title") or "").strip():
            raise invalid("info.title (the API's name) is required.")
        config: dict[str, Any] = {"Name": str(info["title"])}
        if info.get("description"):
            config["Description"] = str(info["description"])
        if info.get("version") is not None:
            config["Version"] = str(info["version"])
        self.unknown_extensions(document, {CORS, ENDPOINT, IMPORT_EXPORT_VERSION}, "the document")
        exported = document.get(IMPORT_EXPORT_VERSION)
        if exported is not None and _version_text(exported) != "1.0":
            raise invalid(f"{IMPORT_EXPORT_VERSION} {exported}: only 1.0 is known.")
        if document.get(CORS) is not None:
            config["CorsConfiguration"] = self._cors(document[CORS])
        if document.get(ENDPOINT) is not None:
            self._endpoint(document[ENDPOINT], config)
        self.imported.config = config
        for name, scheme in self.schemes.items():
            if isinstance(scheme, dict) and scheme.get(AUTHORIZER_EXTENSION) is not None:
                with where(f"security scheme {name}"):
                    self.imported.authorizers[str(name)] = self._authorizer(str(name), scheme)
        paths = document.get("paths")
        if paths is None:
            paths = {}
        if not isinstance(paths, dict):
            raise invalid("paths must be an object.")
        prefix = self._prefix()
        for raw_path, item in paths.items():
            if not isinstance(item, dict):
                raise invalid(f"path {raw_path} is not an object.")
            self._path(str(raw_path), item, prefix)
        return self.imported

    def _prefix(self) -> str:
        try:
            return openapi_documents.path_prefix(self.document, self.basepath)
        except openapi_documents.Invalid as error:
            raise bad_request(str(error)) from None

    def _cors(self, given: Any) -> dict[str, Any]:
        if not isinstance(given, dict):
            raise invalid(f"{CORS} must be an object.")
        cors: dict[str, Any] = {}
        for key, value in given.items():
            name = CORS_NAMES.get(key)
            if name is None:
                self.warn(f"Unknown property {key} of {CORS}: ignored")
                continue
            if name == "AllowCredentials":
                if not isinstance(value, bool):
                    raise invalid(f"{CORS}.{key} must be true or false.")
            elif name == "MaxAge":
                if isinstance(value, bool) or not isinstance(value, int):
                    raise invalid(f"{CORS}.{key} must be a number of seconds.")
            elif not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise invalid(f"{CORS}.{key} must be a list of strings.")
            cors[name] = value
        return cors

    def _endpoint(self, given: Any, config: dict[str, Any]) -> None:
        if not isinstance(given, dict):
            raise invalid(f"{ENDPOINT} must be an object.")
        for key, value in given.items():
            if key != "disableExecuteApiEndpoint":
                self.warn(f"Lamina does not support {key} of {ENDPOINT} for HTTP APIs: ignored")
            elif not isinstance(value, bool):
                raise invalid(f"{ENDPOINT}.disableExecuteApiEndpoint must be true or false.")
            else:
                config["DisableExecuteApiEndpoint"] = value

    def _authorizer(self, name: str, scheme: dict[str, Any]) -> dict[str, Any]:
        spec = scheme[AUTHORIZER_EXTENSION]
        if not isinstance(spec, dict):
            raise invalid(f"{AUTHORIZER_EXTENSION} must be an object.")
        kind = str(spec.get("type") or "").lower()
        wanted: dict[str, Any] = {"Name": name}
        if kind == "jwt":
            known = _JWT_KEYS
            jwt = spec.get("jwtConfiguration") or {}
            if not isinstance(jwt, dict):
                raise invalid("jwtConfiguration must be an object.")
            issuer = str(jwt["issuer"]) if jwt.get("issuer") is not None else None
            url = str(scheme.get("openIdConnectUrl") or "")
            if not issuer and scheme.get("type") == "openIdConnect" and url:
                issuer = url.removesuffix(_WELL_KNOWN)  # the issuer's discovery document
            audience = jwt.get("audience") or []
            wanted.update({
                "AuthorizerType": "JWT",
                "IdentitySource": _sources(spec.get("identitySource"))
                or ["$request.header.Authorization"],
                "JwtConfiguration": {
                    "Issuer": issuer,
                    "Audience": [str(a) for a in audience] if isinstance(audience, list)
                    else [str(audience)],
                },
            })  # fmt: skip
        elif kind == "request":
            known = _REQUEST_KEYS
            uri = spec.get("authorizerUri")
            wanted.update({
                "AuthorizerType": "REQUEST",
                "AuthorizerUri": None if uri is None else str(uri),
                "IdentitySource": _sources(spec.get("identitySource")),
            })  # fmt: skip
            if spec.get("authorizerPayloadFormatVersion") is not None:
                version = _version_text(spec["authorizerPayloadFormatVersion"])
                wanted["AuthorizerPayloadFormatVersion"] = version
            if spec.get("enableSimpleResponses") is not None:
                if not isinstance(spec["enableSimpleResponses"], bool):
                    raise invalid("enableSimpleResponses must be true or false.")
                wanted["EnableSimpleResponses"] = spec["enableSimpleResponses"]
            ttl = spec.get("authorizerResultTtlInSeconds")
            if ttl is not None:
                if isinstance(ttl, bool) or not isinstance(ttl, int):
                    raise invalid("authorizerResultTtlInSeconds must be a number of seconds.")
                wanted["AuthorizerResultTtlInSeconds"] = ttl
            if spec.get("authorizerCredentials"):
                wanted["AuthorizerCredentialsArn"] = spec["authorizerCredentials"]
        elif kind in ("token", "cognito_user_pools"):
            raise bad_request(
                f"Invalid authorizer type {spec.get('type')}: HTTP APIs take jwt and request "
                "authorizers."
            )
        else:
            raise invalid(f"authorizer type {spec.get('type')!r}: jwt or request.")
        for key in spec:
            if key not in known:
                self.warn(f"Unknown property {key} of the {kind} authorizer {name}: ignored")
        refuse_unsupported(wanted, AUTHORIZER_UNSUPPORTED)
        return authorizer_config(wanted)

    def _path(self, raw_path: str, item: dict[str, Any], prefix: str) -> None:
        self.unknown_extensions(item, {ANY}, f"path {raw_path}")
        default_path = raw_path in DEFAULT_PATHS
        for key, operation in item.items():
            if key == ANY:
                method = "ANY"
            elif key in VERBS:
                method = key.upper()
            elif key == "trace":
                self.warn(f"HTTP APIs do not route TRACE (path {raw_path}): ignored")
                continue
            else:
                continue  # summary, description, parameters, servers, extensions
            if not isinstance(operation, dict):
                raise invalid(f"{key} of path {raw_path} is not an object.")
            if default_path and key != ANY:
                raise invalid(
                    f"the $default route (path {raw_path}) is declared with {ANY}, not {key}."
                )
            if default_path or (key == ANY and operation.get("isDefaultRoute") is True):
                route_key = route_keys.DEFAULT
            else:
                parts = [p for p in (prefix + "/" + raw_path).split("/") if p]
                route_key = f"{method} /{'/'.join(parts)}"
                route_keys.parse(route_key)
            if route_key in self.route_keys:
                raise invalid(f"the route {route_key} is declared twice.")
            self.route_keys.add(route_key)
            self._operation(route_key, operation)

    def _operation(self, route_key: str, operation: dict[str, Any]) -> None:
        self.unknown_extensions(operation, {INTEGRATION}, route_key)
        route = Route({"RouteKey": route_key})
        if operation.get("operationId"):
            route.config["OperationName"] = str(operation["operationId"])
        if operation.get("requestBody") is not None:
            self.imported.info.append(
                f"HTTP APIs do not validate requests: the requestBody of {route_key} is ignored"
            )
        self._security(route, operation)
        spec = operation.get(INTEGRATION)
        if spec is not None:
            with where(route_key):
                self.imported.integrations.append(self._integration(spec, route_key))
            route.integration = len(self.imported.integrations) - 1
        self.imported.routes.append(route)

    def _security(self, route: Route, operation: dict[str, Any]) -> None:
        at = route.config["RouteKey"]
        requirements = operation.get("security", self.document.get("security")) or []
        if not isinstance(requirements, list):
            raise invalid(f"security of {at} must be a list.")
        if not all(isinstance(r, dict) for r in requirements if r is not None):
            raise invalid(f"security of {at} must be a list of objects.")
        named = [
            (name, scopes)
            for requirement in requirements
            for name, scopes in (requirement or {}).items()
        ]
        if not named:
            return
        if len(named) > 1:
            raise bad_request(
                f"Invalid OpenAPI input: {at} names {len(named)} security schemes; a route of "
                "an HTTP API takes one authorizer."
            )
        name, scopes = named[0]
        if not isinstance(scopes or [], list):
            raise invalid(f"the scopes of {name} ({at}) must be a list.")
        scheme = self.schemes.get(name)
        if not isinstance(scheme, dict):
            raise invalid(f"security scheme {name} ({at}) is not defined in securitySchemes.")
        if name in self.imported.authorizers:
            kind = self.imported.authorizers[name]["AuthorizerType"]
            route.config["AuthorizationType"] = "JWT" if kind == "JWT" else "CUSTOM"
            route.authorizer = name
            if scopes:
                route.config["AuthorizationScopes"] = [str(s) for s in scopes]
        elif str(scheme.get(AUTH_TYPE) or "").lower() == "awssigv4":
            route.config["AuthorizationType"] = "AWS_IAM"
        else:
            self.warn(
                f"Security scheme {name} ({at}) is neither an {AUTHORIZER_EXTENSION} nor "
                f"{AUTH_TYPE} awsSigv4, so API Gateway does not enforce it: the route takes "
                "no authorization"
            )

    def _integration(self, spec: Any, at: str) -> dict[str, Any]:
        if not isinstance(spec, dict) or not spec.get("type"):
            raise invalid(f"{INTEGRATION} needs a type (aws_proxy or http_proxy).")
        wanted: dict[str, Any] = {}
        for key, value in spec.items():
            name = INTEGRATION_NAMES.get(key)
            if name is None:
                self.warn(f"Lamina does not support the property {key} of {INTEGRATION} "
                          f"({at}) for HTTP APIs: ignored")  # fmt: skip
            elif value is not None:
                wanted[name] = value
        wanted["IntegrationType"] = str(wanted["IntegrationType"]).upper()
        if wanted.get("IntegrationMethod") is not None:
            wanted["IntegrationMethod"] = str(wanted["IntegrationMethod"]).upper()
        if wanted.get("PayloadFormatVersion") is not None:
            wanted["PayloadFormatVersion"] = _version_text(wanted["PayloadFormatVersion"])
        if wanted.get("ConnectionType") is not None:
            wanted["ConnectionType"] = str(wanted["ConnectionType"]).upper()
        timeout = wanted.get("TimeoutInMillis")
        if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, int)):
            raise invalid("timeoutInMillis must be a whole number of milliseconds.")
        for name in ("IntegrationUri", "IntegrationSubtype", "CredentialsArn", "Description"):
            if wanted.get(name) is not None:
                wanted[name] = str(wanted[name])
        parameters = wanted.get("RequestParameters")
        if parameters is not None and (
            not isinstance(parameters, dict)
            or not all(isinstance(v, str) for v in parameters.values())
        ):
            raise invalid("requestParameters must be an object of strings.")
        refuse_unsupported(wanted, INTEGRATION_UNSUPPORTED)
        return integration_config(wanted)


def read(ctx: RequestContext, body: Any, params: dict[str, Any]) -> Imported:
    """The document checked, or BadRequestException; with FailOnWarnings, warnings refuse it."""
    try:
        document = openapi_documents.load(body)
    except openapi_documents.Invalid as error:
        raise bad_request(str(error)) from None
    document = openapi_documents.resolve_aws_variables(document, ctx.account_id, ctx.region)
    imported = Reader(document, params.get("Basepath") or "ignore").read()
    if imported.warnings and params.get("FailOnWarnings"):
        raise bad_request("Warnings found during import:\n\t" + "\n\t".join(imported.warnings))
    return imported


def write(conn: Connection, api_id: str, imported: Imported) -> None:
    """The document's authorizers, integrations and routes, as CreateAuthorizer,
    CreateIntegration and CreateRoute would make them."""
    authorizer_ids = {
        name: items.insert_item(conn, api_id, AUTHORIZER, config).item_id
        for name, config in imported.authorizers.items()
    }
    integration_ids = [
        items.insert_item(conn, api_id, items.INTEGRATION, config).item_id
        for config in imported.integrations
    ]
    for route in imported.routes:
        config = dict(route.config)
        if route.integration is not None:
            config["Target"] = f"integrations/{integration_ids[route.integration]}"
        if route.authorizer is not None:
            config["AuthorizerId"] = authorizer_ids[route.authorizer]
        with where(config["RouteKey"]):
            route_authorization(conn, api_id, config)
        items.insert_item(conn, api_id, items.ROUTE, config)


def clear(conn: Connection, api_id: str) -> None:
    """The API's routes, integrations and authorizers gone, as a reimport replaces them."""
    for kind in (items.ROUTE, items.ROUTE_RESPONSE, items.INTEGRATION, AUTHORIZER):
        for found in items.all_items(conn, api_id, kind):
            items.delete_item(conn, api_id, kind, found.item_id)


class ImportOperations(ApiOperations):
    def _present_import(self, api: Api, tags: dict[str, str], imported: Imported) -> dict[str, Any]:
        answer = self.present_api(api, tags)
        if imported.warnings:
            answer["Warnings"] = imported.warnings
        if imported.info:
            answer["ImportInfo"] = imported.info
        return answer

    def import_api(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        imported = read(ctx, params.get("Body"), params)
        with self.store.write() as conn:
            made = items.insert_api(conn, ctx.account_id, ctx.region, imported.config)
            write(conn, made.api_id, imported)
        return self._present_import(made, {}, imported)

    def reimport_api(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            found = self.find_api(conn, ctx, params["ApiId"])
        if is_websocket(found.config):
            raise bad_request("ReimportApi is supported only for HTTP APIs.")
        imported = read(ctx, params.get("Body"), params)
        with self.store.write() as conn:
            found = self.find_api(conn, ctx, params["ApiId"])
            kept = {k: v for k, v in found.config.items() if k not in DEFINED}
            config = {**kept, **imported.config}
            items.update_api(conn, found.api_id, config)
            clear(conn, found.api_id)
            write(conn, found.api_id, imported)
            self.redeploy(conn, found.api_id)
            tags = tagging.get_tags(conn, api_arn(ctx.region, found.api_id))
        self.changed(found.api_id)
        updated = Api(found.api_id, found.account_id, found.region, config, found.created_at)
        return self._present_import(updated, tags, imported)
