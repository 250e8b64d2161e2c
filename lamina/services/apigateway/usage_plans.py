"""Usage plans: CreateUsagePlan (apiStages, throttle, quota), GetUsagePlan(s), UpdateUsagePlan,
DeleteUsagePlan; their keys (CreateUsagePlanKey, GetUsagePlanKey(s), DeleteUsagePlanKey); and
GetUsage, the requests counted per key per day (usage.py counts them). A key may be in many
plans, but not in two that cover the same stage, as AWS has it."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from lamina import ids
from lamina.context import RequestContext
from lamina.services.apigateway import account_items as rows
from lamina.services.apigateway import api_keys, patches, rest_apis, stages, tag_limits
from lamina.services.apigateway.errors import bad_request, conflict, not_found
from lamina.services.apigateway.rest_apis import page
from lamina.services.apigateway.usage import UsageMeter
from lamina.store import Store

PERIODS = ("DAY", "WEEK", "MONTH")
_PATCHABLE = {
    "name": patches.FIELD,
    "description": patches.FIELD,
    "productCode": patches.FIELD,
    "throttle": patches.MAP,  # /throttle/rateLimit, /throttle/burstLimit
    "quota": patches.MAP,  # /quota/limit, /quota/period, /quota/offset
    "apiStages": patches.SET,  # /apiStages with value apiId:stage
}


_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY")
_STAGE_THROTTLE = re.compile(
    r"^/apiStages/([^/:]+:[^/]+)/throttle(?:/(.*?))?(?:/(rateLimit|burstLimit))?$"
)


def plan_not_found() -> Exception:
    return not_found("Invalid Usage Plan ID specified")


def _throttle(value: Any) -> dict[str, Any] | None:
    if not value:
        return None
    try:
        return _limits(value)
    except (TypeError, ValueError):
        raise bad_request(f"Invalid throttle settings: {value}") from None


def _limits(value: dict[str, Any]) -> dict[str, Any] | None:
    throttle: dict[str, Any] = {}
    if value.get("burstLimit") is not None:
        burst = int(value["burstLimit"])
        if burst < 0:
            raise bad_request("Burst limit must be zero or greater")
        throttle["burstLimit"] = burst
    if value.get("rateLimit") is not None:
        rate = float(value["rateLimit"])
        if rate < 0:
            raise bad_request("Rate limit must be zero or greater")
        throttle["rateLimit"] = rate
    return throttle or None


def _quota(value: Any) -> dict[str, Any] | None:
    if not value:
        return None
    period = value.get("period")
    if period not in PERIODS:
        raise bad_request("Quota period must be one of DAY, WEEK or MONTH")
    limit = int(value.get("limit") or 0)
    if limit < 0:
        raise bad_request("Quota limit must be zero or greater")
    offset = int(value.get("offset") or 0)
    top = {"DAY": 0, "WEEK": 6, "MONTH": 27}[period]
    if not 0 <= offset <= top:
        raise bad_request(f"Quota offset must be between 0 and {top} for period {period}")
    return {"limit": limit, "offset": offset, "period": period}


def method_key(resource_path: str, http_method: str) -> str:
    """A method's key in an API stage's `throttle`: /{resourcePath}/{httpMethod}, as AWS names
    it (the root's GET is //GET)."""
    return f"{resource_path}/{http_method}"


def _method_throttles(value: Any) -> dict[str, dict[str, Any]]:
    """An API stage's per-method throttles, keyed /{resourcePath}/{httpMethod}."""
    kept: dict[str, dict[str, Any]] = {}
    for key, settings in (value or {}).items():
        resource_path, _, verb = str(key).rpartition("/")
        if not resource_path.startswith("/") or verb not in _METHODS:
            raise bad_request(
                f"Invalid method throttle key {key}: it takes the form /{{resourcePath}}/"
                "{httpMethod}, e.g. /pets/GET or //GET for the root resource"
            )
        throttle = _throttle(settings)
        if throttle:
            kept[str(key)] = throttle
    return kept


def _patch_method_throttles(
    listed: list[dict[str, Any]], operations: list[tuple[dict[str, Any], tuple[Any, ...]]]
) -> None:
    """UpdateUsagePlan's /apiStages/{apiId}:{stage}/throttle[/{resourcePath}/{httpMethod}
    [/rateLimit|/burstLimit]] operations, on the plan's stages as patched."""
    by_id = {f"{entry['apiId']}:{entry['stage']}": entry for entry in listed}
    for operation, (stage_id, key, field) in operations:
        op = operation.get("op")
        entry = by_id.get(stage_id)
        if entry is None:
            api_id, _, stage = stage_id.partition(":")
            raise bad_request(f"Invalid API Stage {{api: {api_id}, stage: {stage}}} specified "
                              "for usageplan")  # fmt: skip
        throttles = {k: dict(v) for k, v in (entry.get("throttle") or {}).items()}
        if op not in ("add", "replace", "remove") or (op != "remove" and field is None):
            raise bad_request(
                f"Invalid patch operation {op} on {operation.get('path')}: a method's throttle "
                "takes add or replace of /rateLimit or /burstLimit, or remove"
            )
        if key is None:
            throttles = {}
        elif op == "remove" and field is None:
            throttles.pop(key, None)
        elif op == "remove":
            throttles.get(key, {}).pop(field, None)
        else:
            throttles.setdefault(key, {})[field] = operation.get("value")
        entry["throttle"] = throttles


def _api_stages(
    conn: Any, ctx: RequestContext, listed: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    kept: list[dict[str, Any]] = []
    for entry in listed:
        api_id, stage = entry.get("apiId", ""), entry.get("stage", "")
        try:
            api = rest_apis.find(conn, ctx, api_id)
        except Exception:
            raise bad_request(f"Invalid API Stage {{api: {api_id}, stage: {stage}}} specified "
                              "for usageplan") from None  # fmt: skip
        if stages.serving(conn, api.api_id, stage) is None:
            raise bad_request(f"Invalid API Stage {{api: {api_id}, stage: {stage}}} specified "
                              "for usageplan")  # fmt: skip
        if any(k["apiId"] == api_id and k["stage"] == stage for k in kept):
            raise conflict(f"Duplicate API Stage {{api: {api_id}, stage: {stage}}}")
        made: dict[str, Any] = {"apiId": api_id, "stage": stage}
        throttles = _method_throttles(entry.get("throttle"))
        if throttles:
            made["throttle"] = throttles
        kept.append(made)
    return kept


def _config(conn: Any, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
    tag_limits.checked(params.get("tags"))
    config: dict[str, Any] = {"name": params["name"]}
    for key in ("description", "productCode", "tags"):
        if params.get(key) not in (None, "", {}):
            config[key] = params[key]
    config["apiStages"] = _api_stages(conn, ctx, params.get("apiStages") or [])
    throttle = _throttle(params.get("throttle"))
    quota = _quota(params.get("quota"))
    if throttle:
        config["throttle"] = throttle
    if quota:
        config["quota"] = quota
    return config


def present(row: Any) -> dict[str, Any]:
    return {"id": row.item_id, **row.config}


def find(conn: Any, ctx: rows.Scope, plan_id: str) -> Any:
    row = rows.get(conn, ctx, rows.USAGE_PLAN, plan_id)
    if row is None:
        raise plan_not_found()
    return row


def _stages_of(config: dict[str, Any]) -> set[tuple[str, str]]:
    return {(s["apiId"], s["stage"]) for s in config.get("apiStages") or []}


def check_overlap(conn: Any, ctx: RequestContext, plan_id: str, config: dict[str, Any],
                   key_ids: list[str]) -> None:  # fmt: skip
    """A key may not be in two plans covering one stage (the gateway could not tell which)."""
    mine = _stages_of(config)
    for key_id in key_ids:
        for link in rows.by_lookup(conn, ctx, rows.PLAN_KEY, key_id):
            other_id = link.item_id.split("/", 1)[0]
            if other_id == plan_id:
                continue
            other = rows.get(conn, ctx, rows.USAGE_PLAN, other_id)
            if other is not None and mine & _stages_of(other.config):
                raise conflict(
                    f"Usage Plan {plan_id} cannot be added because API Key {key_id} cannot "
                    "reference multiple Usage Plans with the same API Stage"
                )


def _plan_key(row: Any) -> dict[str, Any]:
    return {"id": row.item_id, "type": "API_KEY", "value": row.config["value"],
            **({"name": row.config["name"]} if row.config.get("name") else {})}  # fmt: skip


class UsagePlanOperations:
    store: Store
    keys_changed: Callable[[], None]
    usage: UsageMeter

    def create_usage_plan(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        plan_id = ids.alnum_id(6)
        with self.store.write() as conn:
            config = _config(conn, ctx, params)
            rows.insert(conn, ctx, rows.USAGE_PLAN, plan_id, None, config, time.time())
            made = present(find(conn, ctx, plan_id))
        self.keys_changed()
        return made

    def get_usage_plan(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            return present(find(conn, ctx, params["usagePlanId"]))

    def get_usage_plans(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            plans = rows.listed(conn, ctx, rows.USAGE_PLAN)
            if params.get("keyId"):
                linked = {
                    r.item_id.split("/", 1)[0]
                    for r in rows.by_lookup(conn, ctx, rows.PLAN_KEY, params["keyId"])
                }
                plans = [p for p in plans if p.item_id in linked]  # fmt: skip
        return page([present(p) for p in plans], params)

    def update_usage_plan(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            row = find(conn, ctx, params["usagePlanId"])
            target = dict(row.config)
            target["apiStages"] = [f"{s['apiId']}:{s['stage']}" for s in row.config["apiStages"]]
            kept = {
                f"{s['apiId']}:{s['stage']}": s.get("throttle") for s in row.config["apiStages"]
            }
            operations, method_throttles = [], []
            for operation in params.get("patchOperations") or []:
                found = _STAGE_THROTTLE.match(str(operation.get("path") or ""))
                if found is not None:  # applied once the plan's stages are known
                    method_throttles.append((operation, found.groups()))
                    continue
                if operation.get("path") == "/apiStages":  # the value names the stage
                    if operation.get("op") == "remove":  # its throttles go with it
                        kept.pop(str(operation.get("value")), None)
                    operation = {**operation, "path": "/apiStages/" + str(operation.get("value"))}
                operations.append(operation)
            patches.apply(target, operations, _PATCHABLE)
            if not target.get("name"):
                raise bad_request("Usage plan name must not be empty")
            listed = []
            for item in target.pop("apiStages") or []:
                api_id, _, stage = str(item).partition(":")
                listed.append({"apiId": api_id, "stage": stage, "throttle": kept.get(str(item))})
            _patch_method_throttles(listed, method_throttles)
            config = {k: v for k, v in target.items() if v not in (None, "", {})}
            config.pop("throttle", None)
            config.pop("quota", None)
            config["apiStages"] = _api_stages(conn, ctx, listed)
            throttle = _throttle(target.get("throttle"))
            quota = _quota(target.get("quota"))
            if throttle:
                config["throttle"] = throttle
            if quota:
                config["quota"] = quota
            keys = [r.item_id.split("/", 1)[1]
                    for r in rows.listed(conn, ctx, rows.PLAN_KEY, row.item_id + "/")]  # fmt: skip
            check_overlap(conn, ctx, row.item_id, config, keys)
            rows.update(conn, ctx, rows.USAGE_PLAN, row.item_id, config)
            updated = present(find(conn, ctx, row.item_id))
        self.keys_changed()
        return updated

    def delete_usage_plan(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            row = find(conn, ctx, params["usagePlanId"])
            rows.delete(conn, ctx, rows.USAGE_PLAN, row.item_id)
            rows.delete_where(conn, ctx, rows.PLAN_KEY, prefix=row.item_id + "/")
        self.keys_changed()
        return {}

    def create_usage_plan_key(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        if params["keyType"] != "API_KEY":
            raise bad_request("Invalid key type specified: must be API_KEY")
        with self.store.write() as conn:
            plan = find(conn, ctx, params["usagePlanId"])
            key = api_keys.find(conn, ctx, params["keyId"])
            link = f"{plan.item_id}/{key.item_id}"
            if rows.get(conn, ctx, rows.PLAN_KEY, link) is not None:
                raise conflict("Usage Plan Key already exists")
            check_overlap(conn, ctx, plan.item_id, plan.config, [key.item_id])
            rows.insert(conn, ctx, rows.PLAN_KEY, link, key.item_id, {}, time.time())
        self.keys_changed()
        return _plan_key(key)

    def get_usage_plan_key(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            plan = find(conn, ctx, params["usagePlanId"])
            if rows.get(conn, ctx, rows.PLAN_KEY, f"{plan.item_id}/{params['keyId']}") is None:
                raise not_found("Invalid Usage Plan Key identifier specified")
            return _plan_key(api_keys.find(conn, ctx, params["keyId"]))

    def get_usage_plan_keys(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            plan = find(conn, ctx, params["usagePlanId"])
            links = rows.listed(conn, ctx, rows.PLAN_KEY, plan.item_id + "/")
            keys = [rows.get(conn, ctx, rows.API_KEY, link.lookup) for link in links]
        found = [_plan_key(key) for key in keys if key is not None]
        if params.get("nameQuery"):
            found = [k for k in found if k.get("name", "").startswith(params["nameQuery"])]
        return page(found, params)

    def delete_usage_plan_key(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            plan = find(conn, ctx, params["usagePlanId"])
            link = f"{plan.item_id}/{params['keyId']}"
            if rows.get(conn, ctx, rows.PLAN_KEY, link) is None:
                raise not_found("Invalid API Key identifier specified")
            rows.delete(conn, ctx, rows.PLAN_KEY, link)
        self.keys_changed()
        return {}
