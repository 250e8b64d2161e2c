"""API keys: CreateApiKey, GetApiKey, GetApiKeys (values only when includeValues), UpdateApiKey,
DeleteApiKey. A key belongs to its account and region; the data plane finds it by its value
(the `x-api-key` header) and lets it through where a usage plan with it covers the stage."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError

from lamina import ids
from lamina.context import RequestContext
from lamina.services.apigateway import account_items as rows
from lamina.services.apigateway import patches, tag_limits
from lamina.services.apigateway.errors import bad_request, conflict, not_found, not_supported
from lamina.services.apigateway.rest_apis import page
from lamina.store import Store

_PATCHABLE = {
    "name": patches.FIELD,
    "description": patches.FIELD,
    "enabled": patches.FIELD,
    "customerId": patches.FIELD,
}


def key_not_found() -> Exception:
    return not_found("Invalid API Key identifier specified")


def present(row: Any, with_value: bool) -> dict[str, Any]:
    config = dict(row.config)
    value = config.pop("value")
    answer: dict[str, Any] = {"id": row.item_id}
    if with_value:
        answer["value"] = value
    answer["createdDate"] = row.created_at
    answer["lastUpdatedDate"] = config.pop("lastUpdatedDate", row.created_at)
    answer.update(config)
    answer["stageKeys"] = []
    return answer


def find(conn: Any, ctx: RequestContext, key_id: str) -> Any:
    row = rows.get(conn, ctx, rows.API_KEY, key_id)
    if row is None:
        raise key_not_found()
    return row


class ApiKeyOperations:
    store: Store
    keys_changed: Callable[[], None]  # the data plane forgets what it knew of keys

    def create_api_key(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("stageKeys"):
            raise not_supported("stageKeys (use usage plans)")
        value = params.get("value") or ids.alnum_id(40)
        if len(value) < 20:
            raise bad_request("API Key value should be at least 20 characters")
        tag_limits.checked(params.get("tags"))
        now = time.time()
        config: dict[str, Any] = {"value": value, "enabled": bool(params.get("enabled", False))}
        for key in ("name", "description", "customerId", "tags"):
            if params.get(key) not in (None, "", {}):
                config[key] = params[key]
        key_id = ids.alnum_id(10)
        with self.store.write() as conn:
            if rows.by_lookup(conn, ctx, rows.API_KEY, value):
                raise conflict("API Key already exists")
            try:
                rows.insert(conn, ctx, rows.API_KEY, key_id, value, config, now)
            except IntegrityError:
                raise conflict("API Key already exists") from None
            made = present(find(conn, ctx, key_id), True)
        self.keys_changed()
        return made

    def get_api_key(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            return present(find(conn, ctx, params["apiKey"]), bool(params.get("includeValue")))

    def get_api_keys(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            found = rows.listed(conn, ctx, rows.API_KEY)
        name = params.get("nameQuery")
        customer = params.get("customerId")
        items = [
            present(row, bool(params.get("includeValues"))) for row in found
            if (not name or str(row.config.get("name", "")).startswith(name))
            and (not customer or row.config.get("customerId") == customer)
        ]  # fmt: skip
        return page(items, params)

    def update_api_key(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            row = find(conn, ctx, params["apiKey"])
            config = dict(row.config)
            patches.apply(config, params.get("patchOperations") or [], _PATCHABLE)
            enabled = config.get("enabled", False)
            if isinstance(enabled, str):
                if enabled.lower() not in ("true", "false"):
                    raise bad_request(f"Invalid enabled value: {enabled}")
                enabled = enabled.lower() == "true"
            config["enabled"] = bool(enabled)
            config = {k: v for k, v in config.items() if v is not None}
            config["lastUpdatedDate"] = time.time()
            rows.update(conn, ctx, rows.API_KEY, row.item_id, config)
            updated = present(find(conn, ctx, row.item_id), False)
        self.keys_changed()
        return updated

    def delete_api_key(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            row = find(conn, ctx, params["apiKey"])
            rows.delete(conn, ctx, rows.API_KEY, row.item_id)
            rows.delete_where(conn, ctx, rows.PLAN_KEY, lookup=row.item_id)  # out of its plans
        self.keys_changed()
        return {}
