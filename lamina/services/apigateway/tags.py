"""TagResource, UntagResource and GetTags for the REST API resources AWS lets be tagged and
Lamina serves: RestApis, their stages, API keys, usage plans, client certificates and custom
domain names, named by ARN (arn:aws:apigateway:{region}::/restapis/{id}[/stages/{name}],
/apikeys/{id}, /usageplans/{id}, /clientcertificates/{id}, /domainnames/{name}).

A resource's tags live in its own config, where its Create… put them and its Get… shows them.
GetTags answers a resource's own tags only: what a stage inherits from its API counts for
attribute-based access control on AWS, never in GetTags."""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.context import RequestContext
from lamina.services.apigateway import (
    account_items,
    api_keys,
    client_certificates,
    rest_apis,
    usage_plans,
)
from lamina.services.apigateway.domain_names import domain_not_found
from lamina.services.apigateway.errors import bad_request, stage_not_found
from lamina.services.apigateway.tag_limits import checked
from lamina.services.custom_domains import rows as domain_rows
from lamina.store import Store
from lamina.store.schema import apigateway_rest_apis as api_rows
from lamina.store.schema import apigateway_stages as stage_rows

_ARN = re.compile(
    r"^arn:aws:apigateway:(?P<region>[a-z0-9-]+)::/(?:"
    r"restapis/(?P<api>[^/]+)(?:/stages/(?P<stage>[^/]+))?"
    r"|apikeys/(?P<key>[^/]+)|usageplans/(?P<plan>[^/]+)|clientcertificates/(?P<cert>[^/]+)"
    r"|domainnames/(?P<domain>[^/]+))$"
)


# the ARN's group → the account item's kind and its finder (NotFoundException if missing)
_ACCOUNT_ITEMS: dict[str, tuple[str, Callable[[Connection, RequestContext, str], Any]]] = {
    "key": (account_items.API_KEY, api_keys.find),
    "plan": (account_items.USAGE_PLAN, usage_plans.find),
    "cert": (account_items.CLIENT_CERTIFICATE, client_certificates.find),
}


@dataclass(frozen=True)
class _Tagged:
    """A taggable resource, found: its config and how to write it back."""

    config: dict[str, Any]
    save: Callable[[dict[str, Any]], object]


def _found(conn: Connection, ctx: RequestContext, arn: str) -> _Tagged:
    match = _ARN.match(arn)
    if match is None:
        raise bad_request(
            f"Invalid resource ARN: {arn}. Lamina tags REST APIs, stages, API keys, usage plans, "
            "client certificates and domain names"
        )
    parts = match.groupdict()
    if parts["region"] != ctx.region:
        raise bad_request(f"Invalid resource ARN: {arn} is not in region {ctx.region}")
    if parts["stage"] is not None:
        api = rest_apis.find(conn, ctx, parts["api"])
        where = sa.and_(
            stage_rows.c.api_id == api.api_id, stage_rows.c.stage_name == parts["stage"]
        )
        row = conn.execute(sa.select(stage_rows.c.config).where(where)).first()
        if row is None:
            raise stage_not_found()
        return _Tagged(
            row.config,
            lambda config: conn.execute(
                stage_rows.update().where(where).values(config=config, updated_at=time.time())
            ),
        )
    if parts["api"] is not None:
        api = rest_apis.find(conn, ctx, parts["api"])
        return _Tagged(
            api.config,
            lambda config: conn.execute(
                api_rows.update().where(api_rows.c.api_id == api.api_id).values(config=config)
            ),
        )
    for group, (kind, find) in _ACCOUNT_ITEMS.items():
        if parts[group] is not None:
            item = find(conn, ctx, parts[group])
            save = functools.partial(account_items.update, conn, ctx, kind, item.item_id)
            return _Tagged(item.config, save)
    domain = domain_rows.domain(conn, parts["domain"])
    if domain is None or (domain.account_id, domain.region) != (ctx.account_id, ctx.region):
        raise domain_not_found()
    return _Tagged(
        domain.config, lambda config: domain_rows.update_domain(conn, domain.host, config)
    )


def _with_tags(config: dict[str, Any], tags: dict[str, str]) -> dict[str, Any]:
    config = {k: v for k, v in config.items() if k != "tags"}
    if tags:
        config["tags"] = tags
    return config


class TagOperations:
    store: Store

    def tag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            found = _found(conn, ctx, params["resourceArn"])
            tags = checked({**(found.config.get("tags") or {}), **(params.get("tags") or {})})
            found.save(_with_tags(found.config, tags))
        return {}

    def untag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.write() as conn:
            found = _found(conn, ctx, params["resourceArn"])
            gone = set(params.get("tagKeys") or [])
            tags = {k: v for k, v in (found.config.get("tags") or {}).items() if k not in gone}
            found.save(_with_tags(found.config, tags))
        return {}

    def get_tags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        with self.store.read() as conn:
            return {"tags": dict(_found(conn, ctx, params["resourceArn"]).config.get("tags") or {})}
