"""Create/Get/Update/DeleteModel(s) and GetModelTemplate: a WebSocket API's JSON Schemas (draft
4), named, that a route's RequestModels choose by its ModelSelectionExpression to validate each
message (websocket_mapping.py). A deployment keeps the schemas as they are when it is made.
HTTP APIs have none here; `$ref` between models is not supported yet (refused)."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy.engine import Connection

from lamina.context import RequestContext
from lamina.services import model_schemas, model_templates
from lamina.services.apigatewayv2 import items
from lamina.services.apigatewayv2.base import Base, page
from lamina.services.apigatewayv2.errors import bad_request, conflict, not_found
from lamina.services.apigatewayv2.websocket_settings import is_websocket

MODEL = items.MODEL
_NAME = re.compile(r"^[A-Za-z0-9]{1,128}$")
_SETTABLE = ("Name", "Schema", "ContentType", "Description")


def present_model(found: items.Item) -> dict[str, Any]:
    return {
        "ModelId": found.item_id,
        **{n: found.config[n] for n in _SETTABLE if n in found.config},
    }


def _has_ref(value: Any) -> bool:
    if isinstance(value, dict):
        return "$ref" in value or any(_has_ref(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_ref(v) for v in value)
    return False


def parse_schema(text: str) -> dict[str, Any]:
    """A model's schema: a JSON object, a valid draft-4 schema; else BadRequestException."""
    try:
        schema = model_schemas.parsed(text)
    except model_schemas.Invalid as error:
        raise bad_request(str(error)) from None
    if _has_ref(schema):
        raise bad_request("Lamina does not support $ref in WebSocket API models yet.")
    return schema


def _checked(config: dict[str, Any]) -> dict[str, Any]:
    if not _NAME.match(config.get("Name") or ""):
        raise bad_request(
            f"Invalid model name: {config.get('Name')!r}. A name is 1 to 128 letters and digits."
        )
    parse_schema(config.get("Schema") or "")
    config.setdefault("ContentType", "application/json")
    if not config.get("Description"):
        config.pop("Description", None)
    return config


def names(conn: Connection, api_id: str) -> set[str]:
    return {m.config["Name"] for m in items.all_items(conn, api_id, MODEL)}


class ModelOperations(Base):
    def _websocket(self, conn: Connection, ctx: RequestContext, api_id: str) -> None:
        api = self.find_api(conn, ctx, api_id)
        if not is_websocket(api.config):
            raise bad_request("Models are supported only for WebSocket APIs.")

    def _model(self, conn: Connection, ctx: RequestContext, params: dict[str, Any]) -> items.Item:
        self.find_api(conn, ctx, params["ApiId"])
        found = items.item(conn, params["ApiId"], MODEL, params["ModelId"])
        if found is None:
            raise not_found("Model", ctx.account_id, params["ApiId"], params["ModelId"])
        return found

    def _name_taken(self, conn: Connection, api_id: str, name: str, own: str | None) -> None:
        for model in items.all_items(conn, api_id, MODEL):
            if model.config["Name"] == name and model.item_id != own:
                raise conflict(f"Model with name {name} already exists for this API")

    def _refuse_if_named(self, conn: Connection, api_id: str, name: str) -> None:
        for route in items.all_items(conn, api_id, items.ROUTE):
            if name in (route.config.get("RequestModels") or {}).values():
                raise bad_request(
                    f"Cannot delete or rename model '{name}': route {route.config['RouteKey']} "
                    "names it in its RequestModels."
                )

    def create_model(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        api_id = params["ApiId"]
        with self.store.write() as conn:
            self._websocket(conn, ctx, api_id)
            config = _checked({n: params[n] for n in _SETTABLE if n in params})
            self._name_taken(conn, api_id, config["Name"], None)
            made = items.insert_item(conn, api_id, MODEL, config)
            self.redeploy(conn, api_id)
        self.changed(api_id)
        return present_model(made)

    def get_model(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            return present_model(self._model(conn, ctx, params))

    def get_models(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            self.find_api(conn, ctx, params["ApiId"])
            found = items.all_items(conn, params["ApiId"], MODEL)
        return page(found, params, present_model)

    def get_model_template(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            found = self._model(conn, ctx, params)
        return {"Value": model_templates.template(json.loads(found.config["Schema"]))}

    def update_model(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        api_id = params["ApiId"]
        with self.store.write() as conn:
            found = self._model(conn, ctx, params)
            config = _checked({**found.config, **{n: params[n] for n in _SETTABLE if n in params}})
            if config["Name"] != found.config["Name"]:
                self._refuse_if_named(conn, api_id, found.config["Name"])
                self._name_taken(conn, api_id, config["Name"], found.item_id)
            items.update_item(conn, api_id, MODEL, found.item_id, config)
            self.redeploy(conn, api_id)
        self.changed(api_id)
        return present_model(items.Item(found.item_id, config, found.created_at))

    def delete_model(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        api_id = params["ApiId"]
        with self.store.write() as conn:
            found = self._model(conn, ctx, params)
            self._refuse_if_named(conn, api_id, found.config["Name"])
            items.delete_item(conn, api_id, MODEL, found.item_id)
            self.redeploy(conn, api_id)
        self.changed(api_id)
        return {}
