"""Authorizers of REST APIs: CreateAuthorizer, GetAuthorizer(s), UpdateAuthorizer,
DeleteAuthorizer. Lambda authorizers (TOKEN: one header; REQUEST: headers, query strings, stage
variables, context values) are served by lambda_authorizers.py; COGNITO_USER_POOLS ones are
kept, and a method using one answers 500 saying Lamina does not enforce them yet. Like a
method, an authorizer serves what the stage's deployment snapshotted (deployments.py).

authorizerCredentials (the role API Gateway would assume to invoke the function) is kept but
not assumed: Lamina does not enforce IAM yet, the function is invoked as apigateway."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina import ids
from lamina.context import RequestContext
from lamina.services.apigateway import account_items as rows
from lamina.services.apigateway import patches, resources, rest_apis
from lamina.services.apigateway.errors import bad_request, conflict, not_found, stage_not_found
from lamina.services.apigateway.methods import LAMBDA_URI
from lamina.services.apigateway.rest_apis import page
from lamina.store import Store
from lamina.store.schema import apigateway_stages as stage_rows

TYPES = ("TOKEN", "REQUEST", "COGNITO_USER_POOLS")
DEFAULT_TTL = 300
MAX_TTL = 3600
_SOURCE = re.compile(
    r"^(method\.request\.(header|querystring|multivalueheader|multivaluequerystring)\.[^\s,]+"
    r"|stageVariables\.[A-Za-z0-9_]+|context\.[A-Za-z0-9_.]+)$"
)
_TOKEN_SOURCE = re.compile(r"^method\.request\.header\.[^\s,]+$")
_PATCHABLE = {
    "name": patches.FIELD,
    "type": patches.FIELD,
    "authorizerUri": patches.FIELD,
    "authorizerCredentials": patches.FIELD,
    "identitySource": patches.FIELD,
    "identityValidationExpression": patches.FIELD,
    "authorizerResultTtlInSeconds": patches.FIELD,
    "providerARNs": patches.SET,
    "authType": patches.FIELD,
}
_KEPT = (
    "name", "type", "providerARNs", "authType", "authorizerUri", "authorizerCredentials",
    "identitySource", "identityValidationExpression", "authorizerResultTtlInSeconds",
)  # fmt: skip


def new_id() -> str:
    return ids.alnum_id(6)


def authorizer_not_found() -> Exception:
    return not_found("Invalid Authorizer identifier specified")


def sources(identity_source: str | None) -> list[str]:
    return [s.strip() for s in (identity_source or "").split(",") if s.strip()]


def checked(config: dict[str, Any]) -> dict[str, Any]:
    """An authorizer's settings as AWS accepts them, defaults filled in."""
    kind = config.get("type")
    if kind not in TYPES:
        raise bad_request(f"Invalid authorizer type specified: {kind}")
    if not config.get("name"):
        raise bad_request("Authorizer name must not be empty")
    ttl = config.get("authorizerResultTtlInSeconds")
    ttl = DEFAULT_TTL if ttl in (None, "") else ttl
    try:
        ttl = int(ttl)
    except (TypeError, ValueError):
        raise bad_request(f"Invalid authorizerResultTtlInSeconds: {ttl}") from None
    if not 0 <= ttl <= MAX_TTL:
        raise bad_request(f"Authorizer TTL must be between 0 and {MAX_TTL} seconds")
    config["authorizerResultTtlInSeconds"] = ttl
    listed = sources(config.get("identitySource"))
    if kind == "COGNITO_USER_POOLS":
        if not config.get("providerARNs"):
            raise bad_request(
                "ProviderARNs need to be specified for COGNITO_USER_POOLS authorizers"
            )
        listed = listed or ["method.request.header.Authorization"]
    else:
        if not LAMBDA_URI.match(config.get("authorizerUri") or ""):
            raise bad_request("Invalid Authorizer URI specified: it must be the Lambda function's "
                              "invocation URI")  # fmt: skip
        if config.get("providerARNs"):
            raise bad_request("ProviderARNs are only for COGNITO_USER_POOLS authorizers")
    if kind in ("TOKEN", "COGNITO_USER_POOLS"):
        if len(listed) != 1 or not _TOKEN_SOURCE.match(listed[0]):
            raise bad_request(f"Invalid identity source specified for {kind} authorizer: it "
                              "must be one method.request.header.<name>")  # fmt: skip
    elif ttl > 0 and not listed:
        raise bad_request("Identity source is required for REQUEST authorizers when caching "
                          "is enabled")  # fmt: skip
    for source in listed:
        if not _SOURCE.match(source):
            raise bad_request(f"Invalid identity source specified: {source}")
    if listed:
        config["identitySource"] = ", ".join(listed)
    expression = config.get("identityValidationExpression")
    if expression:
        if kind != "TOKEN":
            raise bad_request("identityValidationExpression is only for TOKEN authorizers")
        try:
            re.compile(expression)
        except re.error:
            raise bad_request(f"Invalid identityValidationExpression: {expression}") from None
    config["authType"] = config.get("authType") or (
        "cognito_user_pools" if kind == "COGNITO_USER_POOLS" else "custom"
    )
    return {k: config[k] for k in _KEPT if config.get(k) not in (None, "", [])} | {
        "authorizerResultTtlInSeconds": ttl
    }


def of_api(conn: Connection, owner: rows.Scope, api_id: str) -> dict[str, dict[str, Any]]:
    """An API's authorizers by id, as deployments snapshot them."""
    return {
        row.item_id.split("/", 1)[1]: {"id": row.item_id.split("/", 1)[1], **row.config}
        for row in rows.listed(conn, owner, rows.AUTHORIZER, api_id + "/")
    }


def _find(conn: Connection, ctx: RequestContext, api_id: str, authorizer_id: str) -> Any:
    row = rows.get(conn, ctx, rows.AUTHORIZER, f"{api_id}/{authorizer_id}")
    if row is None:
        raise authorizer_not_found()
    return row


def _present(row: Any) -> dict[str, Any]:
    return {"id": row.item_id.split("/", 1)[1], **row.config}


class AuthorizerOperations:
    store: Store
    # this node's kept authorizer answers for one stage (api id, stage) are dropped
    stage_authorizers_flushed: Callable[[str, str], None]

    def create_authorizer(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        config = checked({k: params.get(k) for k in _KEPT})
        authorizer_id = new_id()
        with self.store.write() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            item = f"{api.api_id}/{authorizer_id}"
            rows.insert(conn, ctx, rows.AUTHORIZER, item, api.api_id, config, time.time())
            return _present(_find(conn, ctx, api.api_id, authorizer_id))

    def get_authorizer(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            return _present(_find(conn, ctx, api.api_id, params["authorizerId"]))

    def get_authorizers(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            found = rows.listed(conn, ctx, rows.AUTHORIZER, api.api_id + "/")
        return page([_present(row) for row in found], params)

    def update_authorizer(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            row = _find(conn, ctx, api.api_id, params["authorizerId"])
            target = dict(row.config)
            patches.apply(target, params.get("patchOperations") or [], _PATCHABLE)
            config = checked(target)
            rows.update(conn, ctx, rows.AUTHORIZER, row.item_id, config)
            return _present(_find(conn, ctx, api.api_id, params["authorizerId"]))

    def delete_authorizer(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            row = _find(conn, ctx, api.api_id, params["authorizerId"])
            authorizer_id = params["authorizerId"]
            for resource in resources.all_of(conn, api.api_id):
                for verb, method in resource.methods.items():
                    if method.get("authorizerId") == authorizer_id:
                        raise conflict(f"Cannot delete authorizer '{row.config['name']}', is "
                                       f"referenced in method: {verb}:{resource.path}")  # fmt: skip
            rows.delete(conn, ctx, rows.AUTHORIZER, row.item_id)
        return {}

    def flush_stage_authorizers_cache(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        with self.store.read() as conn:
            api = rest_apis.find(conn, ctx, params["restApiId"])
            stage = conn.execute(
                sa.select(stage_rows.c.stage_name).where(
                    stage_rows.c.api_id == api.api_id,
                    stage_rows.c.stage_name == params["stageName"],
                )
            ).first()
            if stage is None:
                raise stage_not_found()
        self.stage_authorizers_flushed(api.api_id, params["stageName"])
        return {}
