"""Models: a REST API's JSON Schemas (draft 4), named, for request bodies (a method's
requestModels, checked by a request validator) and responses (responseModels). A new API has
AWS's two default models, Empty and Error. They live in the API's config (rest_apis.PARTS); a
deployment takes a copy, so the data plane checks bodies against the deployed schemas."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import referencing
import referencing.jsonschema
from jsonschema import Draft4Validator
from sqlalchemy.engine import Connection

from lamina.context import RequestContext
from lamina.services import model_schemas, model_templates
from lamina.services.apigateway import ids, patches, resources, rest_apis
from lamina.services.apigateway.errors import bad_request, conflict, not_found, not_supported
from lamina.services.apigateway.rest_apis import RestApi, page
from lamina.store import Store

_NAME = re.compile(r"^[A-Za-z0-9]+$")
_DRAFT4 = "http://json-schema.org/draft-04/schema#"
_PATCHABLE = {"schema": patches.FIELD, "description": patches.FIELD}
_DEFAULTS = {
    "Empty": ("This is a default empty schema model",
              {"$schema": _DRAFT4, "title": "Empty Schema", "type": "object"}),
    "Error": ("This is a default error schema model",
              {"$schema": _DRAFT4, "title": "Error Schema", "type": "object",
               "properties": {"message": {"type": "string"}}}),
}  # fmt: skip
Models = dict[str, dict[str, Any]]  # name → Model, as GetModel answers


def model_url(api_id: str, name: str) -> str:
    """How a schema names another model of its API in `$ref`, as on AWS."""
    return f"https://apigateway.amazonaws.com/restapis/{api_id}/models/{name}"


def _default_id(api_id: str, name: str) -> str:
    return hashlib.sha256(f"{api_id}/{name}".encode()).hexdigest()[:6]


def defaults(api_id: str) -> Models:
    return {
        name: {"id": _default_id(api_id, name), "name": name, "description": description,
               "schema": json.dumps(schema, indent=2), "contentType": "application/json"}
        for name, (description, schema) in _DEFAULTS.items()
    }  # fmt: skip


def of(api: RestApi) -> Models:
    found = api.config.get("models")
    return dict(found) if found is not None else defaults(api.api_id)


def parse_schema(text: str | None) -> dict[str, Any]:
    """A model's schema: JSON, a valid draft-4 schema; else BadRequestException as AWS says."""
    try:
        return model_schemas.parsed(text or "{}")
    except model_schemas.Invalid as error:
        raise bad_request(str(error)) from None


def make(params: dict[str, Any], model_id: str) -> dict[str, Any]:
    name = params.get("name") or ""
    if not name:
        raise bad_request("Model name must be non-empty")
    if not _NAME.match(name):
        raise bad_request("Model name must be non-empty and alphanumeric")
    if not params.get("contentType"):
        raise bad_request("Content type must be non-empty")
    parse_schema(params.get("schema"))
    model = {"id": model_id, "name": name}
    if params.get("description"):
        model["description"] = params["description"]
    model["schema"] = params.get("schema") or "{}"
    model["contentType"] = params["contentType"]
    return model


def _missing(name: str) -> Exception:
    return not_found(f"Invalid model name specified: {name}")


def schemas_of(api: RestApi) -> dict[str, dict[str, Any]]:
    """What a deployment keeps: each model's parsed schema."""
    return {name: json.loads(m["schema"]) for name, m in of(api).items()}


def checker(api_id: str, schemas: dict[str, dict[str, Any]], name: str) -> Draft4Validator:
    """A validator for model `name`, its `$ref`s to the API's other models resolved."""
    spec = referencing.jsonschema.DRAFT4
    registry: referencing.Registry[Any] = referencing.Registry().with_resources(
        (model_url(api_id, other), spec.create_resource(schema))
        for other, schema in schemas.items()
    )
    return Draft4Validator(schemas[name], registry=registry)


def _refuse_if_used(conn: Connection, api: RestApi, name: str) -> None:
    """A model a method's request or response names cannot be deleted, as on AWS."""
    for resource in resources.all_of(conn, api.api_id):
        for verb, method in resource.methods.items():
            if name in (method.get("requestModels") or {}).values():
                raise bad_request(
                    f"Cannot delete model '{name}', is referenced in method request: "
                    f"{resource.path}/{verb}"
                )
            for response in (method.get("methodResponses") or {}).values():
                if name in (response.get("responseModels") or {}).values():
                    raise bad_request(
                        f"Cannot delete model '{name}', is referenced in method response: "
                        f"{resource.path}/{verb}/{response['statusCode']}"
                    )


class ModelOperations:
    store: Store

    def _models(self, conn: Connection, ctx: RequestContext, api_id: str) -> tuple[RestApi, Models]:
        api = rest_apis.find(conn, ctx, api_id)
        return api, of(api)

    def create_model(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            api, models = self._models(conn, ctx, params["restApiId"])
            model = make(params, ids.short_id())
            if model["name"] in models:
                raise conflict("Model name already exists for this REST API")
            models[model["name"]] = model
            rest_apis.save_part(conn, api, "models", models)
        return model

    def get_model(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            _, models = self._models(conn, ctx, params["restApiId"])
        model = models.get(params["modelName"])
        if model is None:
            raise _missing(params["modelName"])
        if params.get("flatten") and "$ref" in model["schema"]:
            raise not_supported("flatten of models that reference other models")
        return dict(model)

    def get_model_template(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        """A mapping template's skeleton for the model, its `$ref`s to the API's models read."""
        with self.store.read() as conn:
            api, models = self._models(conn, ctx, params["restApiId"])
        if params["modelName"] not in models:
            raise _missing(params["modelName"])
        schemas = schemas_of(api)
        by_url = {model_url(api.api_id, name): schema for name, schema in schemas.items()}
        return {"value": model_templates.template(schemas[params["modelName"]], by_url.get)}

    def get_models(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            _, models = self._models(conn, ctx, params["restApiId"])
        return page(sorted(models.values(), key=lambda m: str(m["name"])), params)

    def update_model(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            api, models = self._models(conn, ctx, params["restApiId"])
            model = dict(models.get(params["modelName"]) or {})
            if not model:
                raise _missing(params["modelName"])
            patches.apply(model, params.get("patchOperations") or [], _PATCHABLE)
            parse_schema(model.get("schema"))
            models[model["name"]] = model
            rest_apis.save_part(conn, api, "models", models)
        return model

    def delete_model(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            api, models = self._models(conn, ctx, params["restApiId"])
            if models.pop(params["modelName"], None) is None:
                raise _missing(params["modelName"])
            _refuse_if_used(conn, api, params["modelName"])
            rest_apis.save_part(conn, api, "models", models)
        return {}
