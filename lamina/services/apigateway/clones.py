"""CreateRestApi's `cloneFrom`: the new API gets a copy of the source API's definition under
ids of its own: its resources with their methods, integrations and method and integration
responses, its models (their `$ref`s naming the new API), request validators, authorizers,
gateway responses and documentation parts, and the API-level settings the request does not
set itself (description, version, binaryMediaTypes, minimumCompressionSize, apiKeySource,
endpointConfiguration, disableExecuteApiEndpoint, the resource policy with its resources
naming the new API). Deployments, stages and documentation versions are not copied: they are
published states of the source, not its definition; tags are the request's own."""

from __future__ import annotations

import copy
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.context import RequestContext
from lamina.services.apigateway import account_items, ids
from lamina.store.schema import apigateway_resources as resources

SETTINGS = (
    "description", "version", "binaryMediaTypes", "minimumCompressionSize", "apiKeySource",
    "endpointConfiguration", "disableExecuteApiEndpoint", "policy",
)  # fmt: skip


def settings(
    source: dict[str, Any], params: dict[str, Any], ctx: RequestContext, source_id: str,
    api_id: str,
) -> dict[str, Any]:  # fmt: skip
    """The source's API-level settings the request leaves unset."""
    out = {}
    for key in SETTINGS:
        if params.get(key) in (None, [], {}) and key in source:
            out[key] = copy.deepcopy(source[key])
    if isinstance(out.get("policy"), str):
        prefix = f"arn:aws:execute-api:{ctx.region}:{ctx.account_id}:"
        out["policy"] = out["policy"].replace(prefix + source_id, prefix + api_id)
    return out


class _Ids:
    """Old id → new id, made on first sight."""

    def __init__(self, make: Any) -> None:
        self.make = make
        self.known: dict[str, str] = {}

    def __getitem__(self, old: str) -> str:
        if old not in self.known:
            self.known[old] = self.make()
        return self.known[old]


def parts(source: dict[str, Any], source_id: str, api_id: str) -> tuple[dict[str, Any], _Ids]:
    """The source's models, validators, gateway responses and documentation parts under new
    ids, and the validators' old → new ids (for the methods)."""
    old_url = f"https://apigateway.amazonaws.com/restapis/{source_id}/models/"
    new_url = f"https://apigateway.amazonaws.com/restapis/{api_id}/models/"
    validator_ids = _Ids(ids.short_id)
    out: dict[str, Any] = {}
    if "models" in source:
        out["models"] = {
            name: {**model, "id": ids.short_id(),
                   "schema": str(model.get("schema") or "").replace(old_url, new_url)}
            for name, model in source["models"].items()
        }  # fmt: skip
    out["requestValidators"] = {
        validator_ids[old]: {**validator, "id": validator_ids[old]}
        for old, validator in (source.get("requestValidators") or {}).items()
    }
    if source.get("gatewayResponses"):
        out["gatewayResponses"] = copy.deepcopy(source["gatewayResponses"])
    documented = {}
    for part in (source.get("documentationParts") or {}).values():
        part_id = ids.short_id()
        documented[part_id] = {**copy.deepcopy(part), "id": part_id}
    if documented:
        out["documentationParts"] = documented
    return out, validator_ids


def copy_rows(
    conn: Connection, ctx: RequestContext, source_id: str, api_id: str, root_id: str,
    validator_ids: _Ids,
) -> None:  # fmt: skip
    """The source's authorizers and resources (with their methods) for the new API, whose root
    resource `root_id` is there already."""
    authorizer_ids = _Ids(ids.short_id)  # 6 characters, as authorizers.new_id makes them
    for row in account_items.listed(conn, ctx, account_items.AUTHORIZER, source_id + "/"):
        new = authorizer_ids[row.item_id.split("/", 1)[1]]
        account_items.insert(conn, ctx, account_items.AUTHORIZER, f"{api_id}/{new}", api_id,
                             copy.deepcopy(row.config), time.time())  # fmt: skip
    rows = conn.execute(
        sa.select(resources).where(resources.c.api_id == source_id).order_by(resources.c.path)
    ).all()
    resource_ids = _Ids(ids.resource_id)
    root = next(row for row in rows if row.parent_id is None)
    resource_ids.known[root.resource_id] = root_id
    for row in rows:  # parents first: a parent's path sorts before its children's
        methods = {
            verb: _method(method, row.resource_id, resource_ids[row.resource_id],
                          validator_ids, authorizer_ids)
            for verb, method in (row.methods or {}).items()
        }  # fmt: skip
        if row.parent_id is None:
            conn.execute(
                resources.update()
                .where(resources.c.api_id == api_id, resources.c.resource_id == root_id)
                .values(methods=methods)
            )
            continue
        conn.execute(
            resources.insert().values(
                api_id=api_id, resource_id=resource_ids[row.resource_id],
                parent_id=resource_ids[row.parent_id], path_part=row.path_part, path=row.path,
                methods=methods,
            )
        )  # fmt: skip


def _method(
    method: dict[str, Any], old_resource: str, new_resource: str, validator_ids: _Ids,
    authorizer_ids: _Ids,
) -> dict[str, Any]:  # fmt: skip
    made = copy.deepcopy(method)
    if made.get("requestValidatorId"):
        made["requestValidatorId"] = validator_ids[made["requestValidatorId"]]
    if made.get("authorizerId"):
        made["authorizerId"] = authorizer_ids[made["authorizerId"]]
    integration = made.get("methodIntegration")
    if integration and integration.get("cacheNamespace") == old_resource:
        integration["cacheNamespace"] = new_resource
    return made
