"""ImportRestApi and PutRestApi: a REST API from an OpenAPI 3.0 or Swagger 2.0 document (JSON
or YAML), with the x-amazon-apigateway-* extensions SAM and users write: integrations (and
their responses), binary media types, ANY methods, the API key source, request validators,
security schemes (AWS_IAM, API keys, authorizers), gateway responses, models from components/schemas
(definitions). The document is turned into the rows CreateResource/PutMethod/PutIntegration/…
would make, in one transaction: all of it or nothing.

An extension Lamina does not know yet is a warning (answered in `warnings`; with
failOnWarnings=true the import is refused), as AWS treats unknown extensions. Authorizers
(x-amazon-apigateway-authorizer security schemes) become the API's authorizers, checked as
CreateAuthorizer checks them (authorizers.py), and their methods use them (CUSTOM with the
authorizerId); PutRestApi keeps an authorizer's id when the document names it again.

Documentation parts (x-amazon-apigateway-documentation's documentationParts) become the API's
parts; PutRestApi merges them by location or, with mode=overwrite, replaces them, and keeps
the API's documentation versions either way. ImportDocumentationParts reads the same
extension into an existing API, answering the parts' ids."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.context import RequestContext
from lamina.services import openapi_documents
from lamina.services.apigateway import (
    account_items,
    authorizers,
    documentation_parts,
    documentation_versions,
    gateway_response_settings,
    ids,
    models,
    resource_policies,
    rest_apis,
    validators,
)
from lamina.services.apigateway.errors import bad_request, not_supported
from lamina.services.apigateway.methods import _integration
from lamina.services.apigateway.resources import _PATH_PART
from lamina.services.apigateway.rest_apis import RestApi
from lamina.store import Store
from lamina.store.schema import apigateway_resources as resource_rows
from lamina.store.schema import apigateway_rest_apis as apis

_VERBS = ("get", "put", "post", "delete", "patch", "options", "head")
_ANY = "x-amazon-apigateway-any-method"
_X = "x-amazon-apigateway-"
# Extensions read here; any other x-amazon-apigateway-* is a warning.
_KNOWN_TOP = {
    "x-amazon-apigateway-binary-media-types", "x-amazon-apigateway-api-key-source",
    "x-amazon-apigateway-request-validators", "x-amazon-apigateway-request-validator",
    "x-amazon-apigateway-minimum-compression-size", "x-amazon-apigateway-gateway-responses",
    "x-amazon-apigateway-policy", documentation_parts.EXTENSION,
}  # fmt: skip
_REFUSED = {
    "x-amazon-apigateway-endpoint-configuration": "endpoint configuration by OpenAPI",
}
_REF = re.compile(r"^#/(?:components/schemas|definitions)/([A-Za-z0-9]+)$")


def parse(body: bytes | str | None, ctx: RequestContext) -> dict[str, Any]:
    """The document, JSON or YAML, its AWS variables (${AWS::Region}, …) resolved for the
    importing account; BadRequestException when it is neither OpenAPI 3 nor Swagger 2."""
    try:
        document = openapi_documents.load(body)
    except openapi_documents.Invalid as error:
        raise bad_request(str(error)) from None
    document = openapi_documents.resolve_aws_variables(document, ctx.account_id, ctx.region)
    version = str(document.get("openapi") or document.get("swagger") or "")
    if not (version.startswith("3.0") or version == "2.0"):
        raise bad_request(
            "Invalid OpenAPI input: only OpenAPI 3.0 (openapi: 3.0.x) and Swagger 2.0 "
            "(swagger: '2.0') documents are imported."
        )
    if not isinstance(document.get("paths") or {}, dict):
        raise bad_request("Invalid OpenAPI input: paths must be an object.")
    return document


@dataclass
class Imported:
    """The API as the document describes it."""

    name: str
    config: dict[str, Any]
    models: dict[str, dict[str, Any]]
    validators: dict[str, dict[str, Any]]
    authorizers: dict[str, dict[str, Any]]
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)  # path → methods
    warnings: list[str] = field(default_factory=list)
    policy: Any = None  # x-amazon-apigateway-policy, checked with the API's ARN
    # x-amazon-apigateway-documentation's (location, properties); None when not given
    documentation: list[tuple[dict[str, Any], str]] | None = None

    def checked_policy(self, ctx: RequestContext, api_id: str) -> str | None:
        return resource_policies.checked(self.policy, ctx.region, ctx.account_id, api_id)


def _prefix(document: dict[str, Any], mode: str) -> str:
    try:
        return openapi_documents.path_prefix(document, mode)
    except openapi_documents.Invalid as error:
        raise bad_request(str(error)) from None


class _Reader:
    def __init__(self, document: dict[str, Any], api_id: str, fail_on_warnings: bool,
                 known_authorizers: dict[str, str] | None = None) -> None:  # fmt: skip
        self.document = document
        self.known_authorizers = known_authorizers or {}  # name → id, kept by PutRestApi
        self.api_id = api_id
        self.fail_on_warnings = fail_on_warnings
        self.swagger = "swagger" in document
        self.warnings: list[str] = []
        self.models: dict[str, dict[str, Any]] = {}
        self.validators: dict[str, dict[str, Any]] = {}  # name → validator
        self.authorizers: dict[str, dict[str, Any]] = {}
        self.schemes: dict[str, Any] = (
            document.get("securityDefinitions") if self.swagger
            else (document.get("components") or {}).get("securitySchemes")
        ) or {}  # fmt: skip

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def extensions(self, where: dict[str, Any], known: set[str], at: str) -> None:
        for key in where:
            if key in _REFUSED:
                raise not_supported(_REFUSED[key])
            if key.startswith(_X) and key not in known and key != _ANY:
                self.warn(f"Lamina does not support the extension {key} ({at}) yet: ignored")

    def read(self, existing: dict[str, dict[str, Any]] | None = None) -> Imported:
        document = self.document
        info = document.get("info") or {}
        name = str(info.get("title") or "")
        if not name.strip():
            raise bad_request("Invalid OpenAPI input: info.title (the API's name) is required.")
        self.extensions(document, _KNOWN_TOP, "the document")
        config: dict[str, Any] = {}
        if info.get("description"):
            config["description"] = str(info["description"])
        if info.get("version") is not None:
            config["version"] = str(info["version"])
        binary = document.get("x-amazon-apigateway-binary-media-types")
        if binary:
            config["binaryMediaTypes"] = [str(t) for t in binary]
        if document.get("x-amazon-apigateway-minimum-compression-size") is not None:
            config["minimumCompressionSize"] = int(
                document["x-amazon-apigateway-minimum-compression-size"]
            )
        if document.get("x-amazon-apigateway-api-key-source") is not None:
            source = str(document["x-amazon-apigateway-api-key-source"]).upper()
            if source not in rest_apis.API_KEY_SOURCES:
                raise bad_request(f"Invalid OpenAPI input: x-amazon-apigateway-api-key-source "
                                  f"{source} (HEADER or AUTHORIZER)")  # fmt: skip
            config["apiKeySource"] = source
        responses = document.get("x-amazon-apigateway-gateway-responses")
        if responses:
            if not isinstance(responses, dict):
                raise bad_request("Invalid OpenAPI input: x-amazon-apigateway-gateway-responses "
                                  "must be an object")  # fmt: skip
            config[gateway_response_settings.PART] = {
                gateway_response_settings.known_type(kind): gateway_response_settings.checked(
                    settings or {}
                )
                for kind, settings in responses.items()
            }
        self._models(existing or {})
        self._validators()
        imported = Imported(name, config, self.models, {}, {})
        imported.policy = document.get("x-amazon-apigateway-policy")
        if documentation_parts.EXTENSION in document:
            imported.documentation = documentation_parts.declared(document, self.warnings)
        return imported

    def _models(self, existing: dict[str, dict[str, Any]]) -> None:
        schemas = (
            self.document.get("definitions") if self.swagger
            else (self.document.get("components") or {}).get("schemas")
        ) or {}  # fmt: skip
        for model_name, schema in schemas.items():
            self.models[model_name] = self._model(model_name, schema, existing)

    def _model(self, name: str, schema: Any, existing: dict[str, dict[str, Any]]) -> dict[str, Any]:
        text = json.dumps(self._refs(schema))
        found = existing.get(name)
        return models.make(
            {"name": name, "schema": text, "contentType": "application/json"},
            found["id"] if found else ids.short_id(),
        )

    def _refs(self, schema: Any) -> Any:
        """Schemas' local $refs become model URLs, as AWS stores them."""
        if isinstance(schema, dict):
            out = {}
            for key, value in schema.items():
                if key == "$ref" and isinstance(value, str) and _REF.match(value):
                    out[key] = models.model_url(self.api_id, _REF.match(value).group(1))  # type: ignore[union-attr]
                else:
                    out[key] = self._refs(value)
            return out
        if isinstance(schema, list):
            return [self._refs(item) for item in schema]
        return schema

    def _validators(self) -> None:
        declared = self.document.get("x-amazon-apigateway-request-validators") or {}
        for name, flags in declared.items():
            flags = flags or {}
            self.validators[name] = validators.make(
                ids.short_id(), name, flags.get("validateRequestBody", False),
                flags.get("validateRequestParameters", False),
            )  # fmt: skip

    def paths(self, prefix: str) -> dict[str, dict[str, Any]]:
        """path → {verb → Method}."""
        out: dict[str, dict[str, Any]] = {}
        default_validator = self.document.get("x-amazon-apigateway-request-validator")
        for raw_path, item in (self.document.get("paths") or {}).items():
            path = "/" + "/".join(p for p in (prefix + "/" + str(raw_path)).split("/") if p)
            for part in [p for p in path.split("/") if p]:
                if not _PATH_PART.match(part):
                    raise bad_request(f"Invalid OpenAPI input: invalid path part '{part}' "
                                      f"in path {raw_path}")  # fmt: skip
            if not isinstance(item, dict):
                raise bad_request(f"Invalid OpenAPI input: path {raw_path} is not an object")
            self.extensions(item, set(), f"path {raw_path}")
            shared = item.get("parameters") or []
            methods = out.setdefault(path, {})
            for key, operation in item.items():
                verb = "ANY" if key == _ANY else key.upper() if key in _VERBS else None
                if verb is None or not isinstance(operation, dict):
                    continue
                methods[verb] = self._method(verb, path, operation, shared, default_validator)
        return out

    def _method(
        self, verb: str, path: str, operation: dict[str, Any], shared: list[Any],
        default_validator: str | None,
    ) -> dict[str, Any]:  # fmt: skip
        at = f"{verb} {path}"
        self.extensions(
            operation,
            {"x-amazon-apigateway-integration", "x-amazon-apigateway-request-validator"},
            at,
        )
        method: dict[str, Any] = {"httpMethod": verb, "authorizationType": "NONE",
                                  "apiKeyRequired": False}  # fmt: skip
        if operation.get("operationId"):
            method["operationName"] = str(operation["operationId"])
        self._security(method, operation, at)
        parameters, request_models = self._parameters(shared + (operation.get("parameters") or []),
                                                      operation, verb, path)  # fmt: skip
        if parameters:
            method["requestParameters"] = parameters
        if request_models:
            method["requestModels"] = request_models
        validator = operation.get("x-amazon-apigateway-request-validator", default_validator)
        if validator:
            if validator not in self.validators:
                raise bad_request(f"Invalid OpenAPI input: request validator '{validator}' "
                                  f"({at}) is not declared in "
                                  "x-amazon-apigateway-request-validators")  # fmt: skip
            method["requestValidatorId"] = self.validators[validator]["id"]
        responses = self._method_responses(operation.get("responses") or {}, at)
        if responses:
            method["methodResponses"] = responses
        integration = operation.get("x-amazon-apigateway-integration")
        if integration is not None:
            method["methodIntegration"] = self._integration(integration, at)
        else:
            self.warn(f"No integration defined for method {at}")
        return method

    def _security(self, method: dict[str, Any], operation: dict[str, Any], at: str) -> None:
        requirements = operation.get("security", self.document.get("security")) or []
        for requirement in requirements:
            for scheme_name, scopes in (requirement or {}).items():
                scheme = self.schemes.get(scheme_name)
                if scheme is None:
                    raise bad_request(f"Invalid OpenAPI input: security scheme '{scheme_name}' "
                                      f"({at}) is not defined")  # fmt: skip
                authorizer = scheme.get("x-amazon-apigateway-authorizer")
                auth_type = str(scheme.get("x-amazon-apigateway-authtype") or "").lower()
                if authorizer is not None:
                    stored = self._authorizer(scheme_name, scheme, authorizer)
                    method["authorizationType"] = (
                        "COGNITO_USER_POOLS" if stored["type"] == "COGNITO_USER_POOLS"
                        else "CUSTOM"
                    )  # fmt: skip
                    method["authorizerId"] = stored["id"]
                    if scopes:
                        method["authorizationScopes"] = list(scopes)
                elif auth_type == "awssigv4":
                    method["authorizationType"] = "AWS_IAM"
                elif scheme.get("type") == "apiKey":
                    method["apiKeyRequired"] = True
                else:
                    self.warn(f"Security scheme '{scheme_name}' ({at}) is not one API Gateway "
                              "enforces: ignored")  # fmt: skip

    def _authorizer(
        self, name: str, scheme: dict[str, Any], authorizer: dict[str, Any]
    ) -> dict[str, Any]:
        if name in self.authorizers:
            return self.authorizers[name]
        kind = str(authorizer.get("type") or "token").upper()
        stored: dict[str, Any] = {"name": name, "type": kind}
        if authorizer.get("authorizerUri"):
            stored["authorizerUri"] = authorizer["authorizerUri"]
        if authorizer.get("authorizerCredentials"):
            stored["authorizerCredentials"] = authorizer["authorizerCredentials"]
        if authorizer.get("providerARNs"):
            stored["providerARNs"] = list(authorizer["providerARNs"])
        source = authorizer.get("identitySource")
        if source is None and kind == "TOKEN" and scheme.get("in") == "header":
            source = f"method.request.header.{scheme.get('name', 'Authorization')}"
        if source:
            stored["identitySource"] = source
        for key in ("identityValidationExpression", "authorizerResultTtlInSeconds"):
            if authorizer.get(key) is not None:
                stored[key] = authorizer[key]
        if scheme.get("x-amazon-apigateway-authtype"):
            stored["authType"] = str(scheme["x-amazon-apigateway-authtype"])
        stored = authorizers.checked(stored)  # BadRequestException as CreateAuthorizer's
        stored["id"] = self.known_authorizers.get(name) or authorizers.new_id()
        self.authorizers[name] = stored
        return stored

    def _parameters(
        self, declared: list[Any], operation: dict[str, Any], verb: str, path: str
    ) -> tuple[dict[str, bool], dict[str, str]]:
        parameters: dict[str, bool] = {}
        request_models: dict[str, str] = {}
        places = {"query": "querystring", "header": "header", "path": "path"}
        for parameter in declared:
            if not isinstance(parameter, dict):
                continue
            where = parameter.get("in")
            if where == "body":  # Swagger 2
                types = (
                    operation.get("consumes")
                    or self.document.get("consumes")
                    or ["application/json"]
                )
                model = self._model_name(parameter.get("schema") or {}, verb, path)
                request_models.update({t: model for t in types})
            elif where in places:
                required = bool(parameter.get("required")) or where == "path"
                parameters[f"method.request.{places[where]}.{parameter.get('name')}"] = required
        body = operation.get("requestBody")  # OpenAPI 3
        if isinstance(body, dict):
            for content_type, content in (body.get("content") or {}).items():
                schema = (content or {}).get("schema")
                if schema:
                    request_models[content_type] = self._model_name(schema, verb, path)
        return parameters, request_models

    def _model_name(self, schema: dict[str, Any], verb: str, path: str) -> str:
        """A schema $ref names a model; an inline schema becomes a model of its own."""
        matched = _REF.match(str(schema.get("$ref") or ""))
        if matched:
            if matched.group(1) not in self.models:
                raise bad_request(f"Invalid OpenAPI input: model '{matched.group(1)}' "
                                  "is not defined")  # fmt: skip
            return matched.group(1)
        name = verb.capitalize() + "".join(
            re.sub(r"[^A-Za-z0-9]", "", p).capitalize() for p in path.split("/")
        ) + "Body"  # fmt: skip
        self.models[name] = self._model(name, schema, {})
        return name

    def _method_responses(self, responses: dict[str, Any], at: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for code, response in responses.items():
            code = str(code)
            if not re.fullmatch(r"[1-5]\d\d", code):
                self.warn(f"Response '{code}' ({at}) is not a status code: ignored")
                continue
            made: dict[str, Any] = {"statusCode": code}
            headers = (response or {}).get("headers") or {}
            if headers:
                made["responseParameters"] = {f"method.response.header.{h}": False
                                              for h in headers}  # fmt: skip
            content = (response or {}).get("content") or {}
            if self.swagger and (response or {}).get("schema"):
                content = {"application/json": {"schema": response["schema"]}}
            response_models = {}
            for content_type, entry in content.items():
                matched = _REF.match(str(((entry or {}).get("schema") or {}).get("$ref") or ""))
                if matched and matched.group(1) in self.models:
                    response_models[content_type] = matched.group(1)
            if response_models:
                made["responseModels"] = response_models
            out[code] = made
        return out

    def _integration(self, spec: dict[str, Any], at: str) -> dict[str, Any]:
        if not isinstance(spec, dict) or not spec.get("type"):
            raise bad_request(f"Invalid OpenAPI input: malformed integration at {at}")
        params: dict[str, Any] = {
            "type": str(spec["type"]).upper(),
            "integrationHttpMethod": spec.get("httpMethod"),
            "uri": spec.get("uri"),
            "passthroughBehavior": str(spec.get("passthroughBehavior") or "WHEN_NO_MATCH").upper(),
        }
        for key in ("requestTemplates", "requestParameters", "timeoutInMillis", "credentials",
                    "connectionType", "connectionId", "cacheNamespace", "cacheKeyParameters",
                    "tlsConfig"):  # fmt: skip
            if spec.get(key) is not None:
                params[key] = spec[key]
        if spec.get("contentHandling"):
            params["contentHandling"] = str(spec["contentHandling"]).upper()
        integration = _integration(params, "")
        if not spec.get("cacheNamespace"):
            integration.pop("cacheNamespace", None)  # set to the resource's id once it has one
        responses = {}
        for pattern, response in (spec.get("responses") or {}).items():
            response = response or {}
            code = str(response.get("statusCode") or "")
            if not re.fullmatch(r"[1-5]\d\d", code):
                raise bad_request(f"Invalid OpenAPI input: integration response '{pattern}' "
                                  f"({at}) has no valid statusCode")  # fmt: skip
            made: dict[str, Any] = {"statusCode": code}
            if pattern != "default":
                try:
                    re.compile(str(pattern))
                except re.error:
                    raise bad_request(f"Invalid selection pattern specified: {pattern}") from None
                made["selectionPattern"] = str(pattern)
            for key in ("responseParameters", "responseTemplates"):
                if response.get(key):
                    made[key] = dict(response[key])
            if response.get("contentHandling"):
                made["contentHandling"] = str(response["contentHandling"]).upper()
            responses[code] = made
        if responses:
            integration["integrationResponses"] = responses
        return integration


def _read(
    body: Any,
    ctx: RequestContext,
    api_id: str,
    params: dict[str, Any],
    existing: dict[str, Any] | None = None,
    known_authorizers: dict[str, str] | None = None,
) -> tuple[Imported, dict[str, dict[str, Any]]]:
    document = parse(body, ctx)
    options = params.get("parameters") or {}
    reader = _Reader(document, api_id, bool(params.get("failOnWarnings")), known_authorizers)
    imported = reader.read(existing)
    prefix = _prefix(document, options.get("basepath", "ignore"))
    paths = reader.paths(prefix)
    imported.validators = {v["id"]: v for v in reader.validators.values()}
    imported.authorizers = {a["id"]: a for a in reader.authorizers.values()}
    imported.warnings = reader.warnings
    if reader.warnings and reader.fail_on_warnings:
        raise bad_request("Warnings found during import:\n\t" + "\n\t".join(reader.warnings))
    return imported, paths


def _write_paths(
    conn: Connection, api: RestApi, paths: dict[str, dict[str, Any]], merge: bool
) -> None:
    """Make the resources the paths need (their parents too) and put their methods."""
    existing: dict[str, Any] = {
        row.path: row
        for row in conn.execute(
            sa.select(resource_rows).where(resource_rows.c.api_id == api.api_id)
        )
    }
    wanted = {"/"}
    for path in paths:
        parts = [p for p in path.split("/") if p]
        wanted.update("/" + "/".join(parts[:n]) for n in range(1, len(parts) + 1))
    for path in sorted(wanted, key=lambda p: (p.count("/"), p)):
        if path in existing:
            continue
        parent_path = path.rsplit("/", 1)[0] or "/"
        parent = existing[parent_path]
        if parent.path_part and parent.path_part.endswith("+}"):
            raise bad_request(f"Invalid OpenAPI input: a greedy path variable ({parent.path}) "
                              "cannot have children")  # fmt: skip
        values = {"api_id": api.api_id, "resource_id": ids.resource_id(),
                  "parent_id": parent.resource_id, "path_part": path.rsplit("/", 1)[1],
                  "path": path, "methods": {}}  # fmt: skip
        conn.execute(resource_rows.insert().values(**values))
        existing[path] = _Row(values)
    for path, methods in paths.items():
        row = existing[path]
        for method in methods.values():
            integration = method.get("methodIntegration")
            if integration is not None:
                integration.setdefault("cacheNamespace", row.resource_id)
        kept = dict(row.methods) if merge else {}
        conn.execute(
            resource_rows.update()
            .where(
                resource_rows.c.api_id == api.api_id, resource_rows.c.resource_id == row.resource_id
            )
            .values(methods={**kept, **methods})
        )


def _write_authorizers(conn: Connection, ctx: RequestContext, api_id: str,
                       imported: dict[str, dict[str, Any]], merge: bool) -> None:  # fmt: skip
    """The document's authorizers, as CreateAuthorizer/UpdateAuthorizer would write them; an
    overwrite drops the ones it no longer declares (its methods are gone with it)."""
    rows = account_items.listed(conn, ctx, account_items.AUTHORIZER, api_id + "/")
    existing = {row.item_id.split("/", 1)[1]: row for row in rows}
    for authorizer_id, authorizer in imported.items():
        config = {k: v for k, v in authorizer.items() if k != "id"}
        item = f"{api_id}/{authorizer_id}"
        if authorizer_id in existing:
            account_items.update(conn, ctx, account_items.AUTHORIZER, item, config)
        else:
            account_items.insert(conn, ctx, account_items.AUTHORIZER, item, api_id, config,
                                 time.time())  # fmt: skip
    if not merge:
        for authorizer_id, row in existing.items():
            if authorizer_id not in imported:
                account_items.delete(conn, ctx, account_items.AUTHORIZER, row.item_id)


class _Row:
    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def _present(api: RestApi, warnings: list[str]) -> dict[str, Any]:
    answer = api.present()
    if warnings:
        answer["warnings"] = warnings
    return answer


class ImportOperations:
    store: Store
    known: set[str]

    def import_rest_api(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        api_id = ids.api_id()
        imported, paths = _read(params.get("body"), ctx, api_id, params)
        config = {"apiKeySource": "HEADER", **imported.config,
                  "endpointConfiguration": {"ipAddressType": "ipv4", "types": ["EDGE"]},
                  "disableExecuteApiEndpoint": False,
                  "models": {**models.defaults(api_id), **imported.models},
                  "requestValidators": imported.validators}  # fmt: skip
        if imported.documentation:
            config["documentationParts"] = documentation_parts.merged(
                {}, imported.documentation, merge=False
            )[0]
        policy = imported.checked_policy(ctx, api_id)
        if policy is not None:
            config["policy"] = policy
        api = RestApi(api_id, ctx.account_id, ctx.region, imported.name, ids.resource_id(),
                      config, time.time())  # fmt: skip
        with self.store.write() as conn:
            conn.execute(apis.insert().values(**api.__dict__))
            conn.execute(resource_rows.insert().values(
                api_id=api_id, resource_id=api.root_id, parent_id=None, path_part=None,
                path="/", methods={},
            ))  # fmt: skip
            _write_authorizers(conn, ctx, api_id, imported.authorizers, merge=True)
            _write_paths(conn, api, paths, merge=False)
        self.known.add(api_id)
        return _present(api, imported.warnings)

    def import_documentation_parts(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        """The parts of an OpenAPI document's x-amazon-apigateway-documentation, merged into
        the API's (by location) or replacing them all (mode=overwrite)."""
        mode = params.get("mode") or "merge"
        if mode not in ("merge", "overwrite"):
            raise bad_request(f"Invalid mode: {mode} (merge or overwrite)")
        document = parse(params.get("body"), ctx)
        if documentation_parts.EXTENSION not in document:
            raise bad_request(
                f"Invalid OpenAPI input: no {documentation_parts.EXTENSION} in the document. "
                "Lamina does not support importing documentation from the document's own "
                "fields (summary, description, …) yet."
            )
        warnings: list[str] = []
        declared = documentation_parts.declared(document, warnings)
        if warnings and params.get("failOnWarnings"):
            raise bad_request("Warnings found during import:\n\t" + "\n\t".join(warnings))
        with self.store.write() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            parts, made = documentation_parts.merged(
                documentation_parts.of(api), declared, mode == "merge"
            )
            rest_apis.save_part(conn, api, "documentationParts", parts)
        return {"ids": made, "warnings": warnings}

    def put_rest_api(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        mode = params.get("mode") or "merge"
        if mode not in ("merge", "overwrite"):
            raise bad_request(f"Invalid mode: {mode} (merge or overwrite)")
        merge = mode == "merge"
        with self.store.write() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            known = {a["name"]: i for i, a in authorizers.of_api(conn, ctx, api.api_id).items()}
            imported, paths = _read(
                params.get("body"), ctx, api.api_id, params, models.of(api), known
            )
            kept = {k: v for k, v in api.config.items() if k not in rest_apis.PARTS}
            if not merge:
                for key in ("description", "version", "binaryMediaTypes", "minimumCompressionSize",
                            "policy"):  # fmt: skip
                    kept.pop(key, None)
                ours = resource_rows.c.api_id == api.api_id
                conn.execute(
                    resource_rows.delete().where(ours, resource_rows.c.parent_id.isnot(None))
                )
                conn.execute(resource_rows.update().where(ours).values(methods={}))
            config = {**kept, **imported.config}
            policy = imported.checked_policy(ctx, api.api_id)
            if policy is not None:
                config["policy"] = policy
            if (
                merge
                and api.config.get("binaryMediaTypes")
                and imported.config.get("binaryMediaTypes")
            ):
                config["binaryMediaTypes"] = list(dict.fromkeys(
                    api.config["binaryMediaTypes"] + imported.config["binaryMediaTypes"]
                ))  # fmt: skip
            base_models = models.of(api) if merge else models.defaults(api.api_id)
            config["models"] = {**base_models, **imported.models}
            config["requestValidators"] = {
                **(validators.of(api) if merge else {}),
                **imported.validators,
            }
            parts = documentation_parts.of(api) if merge else {}
            if imported.documentation is not None:
                parts = documentation_parts.merged(parts, imported.documentation, merge)[0]
            if parts:
                config["documentationParts"] = parts
            versions = api.config.get(documentation_versions.PART)
            if versions:  # snapshots, whatever the document says
                config[documentation_versions.PART] = versions
            part = gateway_response_settings.PART
            if merge and (api.config.get(part) or imported.config.get(part)):
                config[part] = {**(api.config.get(part) or {}), **(imported.config.get(part) or {})}
            if not merge and "apiKeySource" not in imported.config:
                config["apiKeySource"] = "HEADER"
            name = imported.name if not merge else api.name
            conn.execute(apis.update().where(apis.c.api_id == api.api_id)
                         .values(name=name, config=config))  # fmt: skip
            api = RestApi(api.api_id, api.account_id, api.region, name, api.root_id, config,
                          api.created_at)  # fmt: skip
            _write_authorizers(conn, ctx, api.api_id, imported.authorizers, merge)
            _write_paths(conn, api, paths, merge=merge)
        return _present(api, imported.warnings)
