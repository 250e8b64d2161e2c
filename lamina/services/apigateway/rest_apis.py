"""RestApis: CreateRestApi (with its root resource `/`; with cloneFrom, a copy of another
API's definition: clones.py), GetRestApi(s), UpdateRestApi, DeleteRestApi. An API belongs to
the account and region that made it; any other caller is told the id is invalid, as AWS tells
it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.context import RequestContext
from lamina.services.apigateway import (
    account_items,
    clones,
    ids,
    patches,
    resource_policies,
    tag_limits,
)
from lamina.services.apigateway.errors import api_not_found, bad_request, not_supported
from lamina.store import Store
from lamina.store.schema import apigateway_deployments as deployment_rows
from lamina.store.schema import apigateway_resources as resources
from lamina.store.schema import apigateway_rest_apis as apis
from lamina.store.schema import apigateway_stages as stage_rows

# CreateRestApi's members Lamina keeps and answers with; the rest are refused when set.
_KEPT = ("description", "version", "binaryMediaTypes", "minimumCompressionSize", "tags")
_ENDPOINT_TYPES = ("EDGE", "REGIONAL", "PRIVATE")
# What an API keeps in its config beside GetRestApi's answer: its models, request validators
# gateway responses, documentation parts and versions (models.py, validators.py,
# gateway_response_settings.py, documentation_parts.py, documentation_versions.py).
PARTS = (
    "models", "requestValidators", "gatewayResponses", "documentationParts",
    "documentationVersions",
)  # fmt: skip
_PATCHABLE = {
    "name": patches.FIELD,
    "description": patches.FIELD,
    "version": patches.FIELD,
    "binaryMediaTypes": patches.SET,
    "minimumCompressionSize": patches.FIELD,
    "apiKeySource": patches.FIELD,
    "disableExecuteApiEndpoint": patches.FIELD,
    "policy": patches.FIELD,
}
API_KEY_SOURCES = ("HEADER", "AUTHORIZER")


@dataclass(frozen=True)
class RestApi:
    api_id: str
    account_id: str
    region: str
    name: str
    root_id: str
    config: dict[str, Any]
    created_at: float

    def present(self) -> dict[str, Any]:
        answer: dict[str, Any] = {"id": self.api_id, "name": self.name}
        answer["createdDate"] = self.created_at
        answer.update({k: v for k, v in self.config.items() if k not in PARTS})
        answer["rootResourceId"] = self.root_id
        return answer


def find(conn: Connection, ctx: RequestContext, api_id: str) -> RestApi:
    """The caller's API `api_id`, or NotFoundException."""
    row = conn.execute(
        sa.select(apis).where(
            apis.c.api_id == api_id,
            apis.c.account_id == ctx.account_id,
            apis.c.region == ctx.region,
        )
    ).first()
    if row is None:
        raise api_not_found(ctx.account_id, api_id)
    return RestApi(*row)


def exists(conn: Connection, api_id: str) -> bool:
    return conn.execute(sa.select(apis.c.api_id).where(apis.c.api_id == api_id)).first() is not None


def _config(params: dict[str, Any], ctx: RequestContext, api_id: str) -> dict[str, Any]:
    source = params.get("apiKeySource") or "HEADER"
    if source not in API_KEY_SOURCES:
        raise bad_request(f"Invalid apiKeySource: {source}. Must be one of HEADER, AUTHORIZER")
    if params.get("description") == "":
        raise bad_request("Description cannot be an empty string")
    endpoint = params.get("endpointConfiguration") or {}
    # AWS's words for each refusal (LocalStack's AWS-recorded snapshots)
    if endpoint.get("types") == []:
        raise bad_request("REGIONAL Configuration and EDGE Configuration cannot be both DISABLED.")
    types = endpoint.get("types") or ["EDGE"]
    if len(types) > 1:
        raise bad_request("Cannot create an api with multiple Endpoint Types.")
    if types[0] not in _ENDPOINT_TYPES:
        raise bad_request(
            "Invalid EndpointTypes specified. Valid options are REGIONAL,EDGE,PRIVATE"
        )
    if types[0] == "PRIVATE" or endpoint.get("vpcEndpointIds"):
        raise not_supported("PRIVATE endpoints")
    ip_type = endpoint.get("ipAddressType") or "ipv4"
    if ip_type not in ("ipv4", "dualstack"):
        raise bad_request("ipAddressType must be either ipv4 or dualstack.")
    tag_limits.checked(params.get("tags"))
    config = {key: params[key] for key in _KEPT if params.get(key) not in (None, [], {})}
    config["apiKeySource"] = source
    config["endpointConfiguration"] = {"ipAddressType": ip_type, "types": types}
    config["disableExecuteApiEndpoint"] = bool(params.get("disableExecuteApiEndpoint"))
    policy = resource_policies.checked(params.get("policy"), ctx.region, ctx.account_id, api_id)
    if policy is not None:
        config["policy"] = policy
    return config


class RestApiOperations:
    store: Store
    stages_changed: Callable[[str], None]  # the data plane reads the API's stages anew
    known: set[str]  # API ids this node has seen: owns() answers from it first

    def create_rest_api(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["name"]
        if not name.strip():
            raise bad_request("Rest API name must not be empty")  # the model allows ""
        api_id = ids.api_id()
        config = _config(params, ctx, api_id)
        with self.store.write() as conn:
            source = find(conn, ctx, params["cloneFrom"]) if params.get("cloneFrom") else None
            validator_ids = None
            if source is not None:  # clones.py: what is copied, under new ids
                config.update(clones.settings(source.config, params, ctx, source.api_id, api_id))
                copied, validator_ids = clones.parts(source.config, source.api_id, api_id)
                config.update(copied)
            api = RestApi(
                api_id, ctx.account_id, ctx.region, name, ids.resource_id(), config, time.time()
            )
            conn.execute(apis.insert().values(**api.__dict__))
            conn.execute(
                resources.insert().values(
                    api_id=api.api_id, resource_id=api.root_id, parent_id=None, path_part=None,
                    path="/", methods={},
                )
            )  # fmt: skip
            if source is not None and validator_ids is not None:
                clones.copy_rows(conn, ctx, source.api_id, api_id, api.root_id, validator_ids)
        self.known.add(api.api_id)
        return api.present()

    def get_rest_api(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            return find(conn, ctx, params["restApiId"]).present()

    def get_rest_apis(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        query = (
            sa.select(apis)
            .where(apis.c.account_id == ctx.account_id, apis.c.region == ctx.region)
            .order_by(apis.c.created_at, apis.c.api_id)
        )
        with self.store.read() as conn:
            found = [RestApi(*row).present() for row in conn.execute(query)]
        return page(found, params)

    def update_rest_api(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            api = find(conn, ctx, params["restApiId"])
            target = {"name": api.name, **api.config}
            patches.apply(target, params.get("patchOperations") or [], _PATCHABLE)
            name = target.pop("name", None)
            if not name:
                raise bad_request("Rest API name must not be empty")
            if target.get("apiKeySource") not in API_KEY_SOURCES:
                raise bad_request("Invalid apiKeySource. Must be one of HEADER, AUTHORIZER")
            disabled = target.get("disableExecuteApiEndpoint")  # removed: false
            target["disableExecuteApiEndpoint"] = disabled is not None and patches.boolean(disabled)
            if target.get("policy") != api.config.get("policy"):
                target["policy"] = resource_policies.checked(
                    target.get("policy"), api.region, api.account_id, api.api_id
                )
            config = {k: v for k, v in target.items() if v not in (None, [])}
            conn.execute(
                apis.update().where(apis.c.api_id == api.api_id).values(name=name, config=config)
            )
        return RestApi(
            api.api_id, api.account_id, api.region, name, api.root_id, config, api.created_at
        ).present()

    def delete_rest_api(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            api = find(conn, ctx, params["restApiId"])
            # Children first, whatever the engine's foreign-key settings.
            for table in (stage_rows, deployment_rows, resources):
                conn.execute(table.delete().where(table.c.api_id == api.api_id))
            conn.execute(apis.delete().where(apis.c.api_id == api.api_id))
            account_items.delete_where(conn, ctx, account_items.AUTHORIZER, prefix=api.api_id + "/")
        self.known.discard(api.api_id)
        self.stages_changed(api.api_id)
        return {}


def page(items: list[dict[str, Any]], params: dict[str, Any]) -> dict[str, Any]:
    """One page of `items` (position: the offset of the next page, opaque to callers)."""
    try:
        start = int(params.get("position") or 0)
    except ValueError:
        raise bad_request("Invalid position parameter") from None
    limit = params.get("limit") or 25
    if not 1 <= limit <= 500:
        raise bad_request("Limit must be between 1 and 500")  # AWS's bounds for GetRestApis
    answer: dict[str, Any] = {"items": items[start : start + limit]}
    if start + limit < len(items):
        answer["position"] = str(start + limit)
    return answer


def owner_of(conn: Connection, api_id: str) -> tuple[str, str] | None:
    """(account, region) of an API, for the data plane."""
    row = conn.execute(
        sa.select(apis.c.account_id, apis.c.region).where(apis.c.api_id == api_id)
    ).first()
    return (row.account_id, row.region) if row else None


def save_part(conn: Connection, api: RestApi, part: str, value: Any) -> RestApi:
    """Store one of the API's PARTS (its models, validators, …) in its config."""
    assert part in PARTS
    config = {**api.config, part: value}
    conn.execute(apis.update().where(apis.c.api_id == api.api_id).values(config=config))
    return RestApi(
        api.api_id, api.account_id, api.region, api.name, api.root_id, config, api.created_at
    )
