"""GetExport: a stage's deployment as an OpenAPI 3.0 (oas30) or Swagger 2.0 (swagger)
document, JSON or YAML (Accept), with the x-amazon-apigateway-* extensions when asked
(extensions=integrations or apigateway): what ImportRestApi reads back. With
extensions=documentation (or apigateway), a stage that publishes a documentation version
exports that version's parts in x-amazon-apigateway-documentation (version, documentationParts);
Lamina does not fold them into the document's own summary and description fields."""

from __future__ import annotations

from typing import Any

from lamina.context import RequestContext
from lamina.services import openapi_documents
from lamina.services.apigateway import (
    deployments,
    documentation_parts,
    documentation_versions,
    resource_policies,
    rest_apis,
    stages,
)
from lamina.services.apigateway.errors import bad_request, not_supported, stage_not_found
from lamina.store import Store

_PLACES = {"querystring": "query", "header": "header", "path": "path"}


def _ref(swagger: bool, name: str) -> dict[str, str]:
    return {"$ref": f"#/definitions/{name}" if swagger else f"#/components/schemas/{name}"}


def _local_refs(schema: Any, api_id: str, swagger: bool) -> Any:
    """Model URLs in $refs become the document's own references."""
    prefix = f"https://apigateway.amazonaws.com/restapis/{api_id}/models/"
    if isinstance(schema, dict):
        return {
            k: _ref(swagger, v[len(prefix) :])["$ref"]
            if k == "$ref" and isinstance(v, str) and v.startswith(prefix)
            else _local_refs(v, api_id, swagger)
            for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [_local_refs(item, api_id, swagger) for item in schema]
    return schema


def _integration(integration: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": integration["type"].lower()}
    for key in ("httpMethod", "uri", "requestParameters", "requestTemplates", "credentials",
                "connectionType", "connectionId", "contentHandling", "cacheNamespace",
                "cacheKeyParameters", "timeoutInMillis", "tlsConfig"):  # fmt: skip
        if integration.get(key) not in (None, [], {}):
            out[key] = integration[key]
    out["passthroughBehavior"] = integration.get("passthroughBehavior", "WHEN_NO_MATCH").lower()
    responses = {}
    for response in (integration.get("integrationResponses") or {}).values():
        made = {k: v for k, v in response.items() if k not in ("selectionPattern",)}
        responses[response.get("selectionPattern") or "default"] = made
    if responses:
        out["responses"] = responses
    return out


def document(
    api: rest_apis.RestApi, stage: str, snapshot: dict[str, Any], swagger: bool,
    extensions: bool, documentation: dict[str, Any] | None = None,
) -> dict[str, Any]:  # fmt: skip
    info = {"title": api.name, "version": api.config.get("version") or
            stages_version(api)}  # fmt: skip
    if api.config.get("description"):
        info["description"] = api.config["description"]
    host = f"{api.api_id}.execute-api.{api.region}.amazonaws.com"
    doc: dict[str, Any]
    if swagger:
        doc = {"swagger": "2.0", "info": info, "host": host, "basePath": f"/{stage}",
               "schemes": ["https"]}  # fmt: skip
    else:
        doc = {"openapi": "3.0.1", "info": info,
               "servers": [{"url": f"https://{host}/{{basePath}}",
                            "variables": {"basePath": {"default": stage}}}]}  # fmt: skip
    validators = snapshot.get("requestValidators") or {}
    by_id = {v["id"]: v for v in validators.values()}
    paths: dict[str, Any] = {}
    secured: set[str] = set()
    known = snapshot.get("authorizers") or {}
    by_authorizer = {i: a["name"] for i, a in known.items()}
    for resource in snapshot["resources"]:
        if not resource["methods"]:
            continue
        item: dict[str, Any] = {}
        for verb, method in sorted(resource["methods"].items()):
            key = "x-amazon-apigateway-any-method" if verb == "ANY" else verb.lower()
            item[key] = _operation(method, swagger, extensions, by_id, secured, by_authorizer)
        paths[resource["path"]] = item
    doc["paths"] = paths
    schemas = {name: _local_refs(schema, api.api_id, swagger)
               for name, schema in (snapshot.get("models") or {}).items()}  # fmt: skip
    schemes = {}
    if "sigv4" in secured:
        schemes["sigv4"] = {"type": "apiKey", "name": "Authorization", "in": "header",
                            "x-amazon-apigateway-authtype": "awsSigv4"}  # fmt: skip
    if "api_key" in secured:
        schemes["api_key"] = {"type": "apiKey", "name": "x-api-key", "in": "header"}
    for authorizer in known.values():
        if authorizer["name"] in secured:
            schemes[authorizer["name"]] = _authorizer_scheme(authorizer, extensions)
    if swagger:
        doc["definitions"] = schemas
        if schemes:
            doc["securityDefinitions"] = schemes
    else:
        doc["components"] = {"schemas": schemas}
        if schemes:
            doc["components"]["securitySchemes"] = schemes
    if extensions:
        if snapshot.get("gatewayResponses"):
            doc["x-amazon-apigateway-gateway-responses"] = snapshot["gatewayResponses"]
        if snapshot.get("apiKeySource", "HEADER") != "HEADER":
            doc["x-amazon-apigateway-api-key-source"] = snapshot["apiKeySource"]
        if snapshot.get("binaryMediaTypes"):
            doc["x-amazon-apigateway-binary-media-types"] = snapshot["binaryMediaTypes"]
        if snapshot.get("policy"):
            doc["x-amazon-apigateway-policy"] = resource_policies.document_of(snapshot["policy"])
        if validators:
            doc["x-amazon-apigateway-request-validators"] = {
                v["name"]: {"validateRequestBody": v["validateRequestBody"],
                            "validateRequestParameters": v["validateRequestParameters"]}
                for v in validators.values()
            }  # fmt: skip
    if documentation is not None:
        doc[documentation_parts.EXTENSION] = documentation
    return doc


def _authorizer_scheme(authorizer: dict[str, Any], extensions: bool) -> dict[str, Any]:
    """A Lambda (or Cognito) authorizer as the security scheme ImportRestApi reads back."""
    listed = [s.strip() for s in (authorizer.get("identitySource") or "").split(",") if s.strip()]
    token = authorizer["type"] != "REQUEST"
    header = listed[0].removeprefix("method.request.header.") if token and listed else "Unused"
    scheme: dict[str, Any] = {"type": "apiKey", "name": header, "in": "header"}
    scheme["x-amazon-apigateway-authtype"] = authorizer.get("authType", "custom")
    if not extensions:
        return scheme
    declared: dict[str, Any] = {"type": authorizer["type"].lower()}
    for key in ("authorizerUri", "authorizerCredentials", "providerARNs",
                "identityValidationExpression", "authorizerResultTtlInSeconds"):  # fmt: skip
        if authorizer.get(key) is not None:
            declared[key] = authorizer[key]
    if not token:
        declared["identitySource"] = authorizer.get("identitySource", "")
    scheme["x-amazon-apigateway-authorizer"] = declared
    return scheme


def stages_version(api: rest_apis.RestApi) -> str:
    import time

    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(api.created_at))


def _operation(
    method: dict[str, Any], swagger: bool, extensions: bool, validators: dict[str, Any],
    secured: set[str], authorizers: dict[str, str],
) -> dict[str, Any]:  # fmt: skip
    operation: dict[str, Any] = {}
    if method.get("operationName"):
        operation["operationId"] = method["operationName"]
    parameters = []
    for name, required in (method.get("requestParameters") or {}).items():
        _, _, rest = name.partition("method.request.")
        where, _, key = rest.partition(".")
        if where in _PLACES:
            parameter: dict[str, Any] = {
                "name": key,
                "in": _PLACES[where],
                "required": bool(required) or where == "path",
            }
            if swagger:
                parameter["type"] = "string"
            else:
                parameter["schema"] = {"type": "string"}
            parameters.append(parameter)
    request_models = method.get("requestModels") or {}
    if request_models:
        if swagger:
            operation["consumes"] = list(request_models)
            model = next(iter(request_models.values()))
            parameters.append({"in": "body", "name": model, "required": True,
                               "schema": _ref(True, model)})  # fmt: skip
        else:
            operation["requestBody"] = {"content": {
                t: {"schema": _ref(False, m)} for t, m in request_models.items()
            }, "required": True}  # fmt: skip
    if parameters:
        operation["parameters"] = parameters
    responses = {}
    for code, response in (method.get("methodResponses") or {}).items():
        made: dict[str, Any] = {"description": f"{code} response"}
        headers = {
            h.removeprefix("method.response.header."): {"schema": {"type": "string"}}
            if not swagger
            else {"type": "string"}
            for h in (response.get("responseParameters") or {})
        }
        if headers:
            made["headers"] = headers
        for content_type, model in (response.get("responseModels") or {}).items():
            if swagger:
                made["schema"] = _ref(True, model)
            else:
                made.setdefault("content", {})[content_type] = {"schema": _ref(False, model)}
        responses[code] = made
    operation["responses"] = responses
    if method.get("authorizationType") == "AWS_IAM":
        operation["security"] = [{"sigv4": []}]
        secured.add("sigv4")
    authorizer = authorizers.get(method.get("authorizerId") or "")
    if method.get("authorizationType") in ("CUSTOM", "COGNITO_USER_POOLS") and authorizer:
        operation["security"] = [{authorizer: list(method.get("authorizationScopes") or [])}]
        secured.add(authorizer)
    if method.get("apiKeyRequired"):
        operation.setdefault("security", []).append({"api_key": []})
        secured.add("api_key")
    if extensions:
        validator = validators.get(method.get("requestValidatorId") or "")
        if validator:
            operation["x-amazon-apigateway-request-validator"] = validator["name"]
        if method.get("methodIntegration"):
            operation["x-amazon-apigateway-integration"] = _integration(method["methodIntegration"])
    return operation


class ExportOperations:
    store: Store

    def get_export(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        kind = params["exportType"]
        if kind not in ("oas30", "swagger"):
            if kind == "postman":
                raise not_supported("exports of type postman")
            raise bad_request(f"Invalid export type specified: {kind}")
        options = params.get("parameters") or {}
        wanted = {e.strip() for e in (options.get("extensions") or "").split(",") if e.strip()}
        unknown = wanted - {"integrations", "apigateway", "authorizers", "postman", "documentation"}
        if unknown:
            raise bad_request(f"Invalid extensions specified: {', '.join(sorted(unknown))}")
        if "postman" in wanted:
            raise not_supported("export extensions postman")
        accepts = (params.get("accepts") or "application/json").split(";", 1)[0].strip().lower()
        if accepts not in ("application/json", "application/yaml", "*/*"):
            raise bad_request(f"Invalid accept type specified: {accepts}")
        with self.store.read() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            found = stages.serving(conn, api.api_id, params["stageName"])
            if found is None:
                raise stage_not_found()
            snapshot = deployments.snapshot_of(conn, api.api_id, found[0]) or {"resources": []}
        documentation = None
        published = found[1].get("documentationVersion")
        if published and wanted & {"documentation", "apigateway"}:
            parts = documentation_versions.parts_of(api, published) or []
            documentation = {
                "version": published, "documentationParts": documentation_parts.exported(parts)
            }  # fmt: skip
        doc = document(api, params["stageName"], snapshot, kind == "swagger",
                       bool(wanted - {"documentation"}), documentation)  # fmt: skip
        suffix = "yaml" if accepts == "application/yaml" else "json"
        body = openapi_documents.dump(doc, suffix == "yaml")
        name = f"{api.api_id}-{params['stageName']}-{kind}.{suffix}"
        return {
            "contentType": "application/yaml" if suffix == "yaml" else "application/octet-stream",
            "contentDisposition": f'attachment; filename="{name}"',
            "body": body,
        }
