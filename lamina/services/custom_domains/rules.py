"""What both APIs check of custom domains and their mappings: the name (a DNS name that is not
one Lamina takes for AWS API calls), a mapping's key, which APIs a domain can serve together,
and what kind of API an id names.

AWS's rules kept here: WebSocket APIs cannot share a domain with HTTP or REST APIs; HTTP and
WebSocket APIs need a REGIONAL domain; keys of several levels (`v1/orders`) need a REGIONAL
domain and are made through apigatewayv2."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.edge.execute_api import takes_for_aws_calls
from lamina.protocol.errors import ServiceError
from lamina.services.custom_domains.rows import Domain, Mapping
from lamina.store.schema import apigateway_rest_apis, apigateway_stages, apigwv2_apis, apigwv2_items

REST, HTTP, WEBSOCKET = "REST", "HTTP", "WEBSOCKET"
EDGE, REGIONAL = "EDGE", "REGIONAL"
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_KEY_SEGMENT = re.compile(r"^[A-Za-z0-9$\-_.+!*'(),]+$")
KEY_CHARACTERS = "An ApiMapping key may contain only letters, numbers and one of $-_.+!*'(),"


def bad_request(message: str) -> ServiceError:
    return ServiceError("BadRequestException", message, 400)


def target_hostname(target_id: str) -> str:
    """Where a domain is served on Lamina, as regionalDomainName / distributionDomainName /
    ApiGatewayDomainName say: `*.localhost` resolves to this machine, the port is Lamina's."""
    return f"{target_id}.execute-api.localhost"


def check_name(name: str, own_hosts: frozenset[str]) -> None:
    host = name.lower()
    if host.startswith("*."):
        raise bad_request("Lamina does not support wildcard custom domain names yet.")
    labels = host.split(".")
    if len(host) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise bad_request(f"Invalid domain name: {name} is not a valid DNS name.")
    if takes_for_aws_calls(host, own_hosts) or ".execute-api." in host or ".lambda-url." in host:
        raise bad_request(
            f"Invalid domain name: Lamina takes requests to {name} for AWS API calls or its "
            "own endpoints; choose a name outside localhost and execute-api."
        )


def check_key(key: str) -> None:
    """An API mapping's key: segments of AWS's characters, at most 300 characters."""
    if len(key) > 300:
        raise bad_request("ApiMapping key length must be under 300 characters.")
    if key and not all(_KEY_SEGMENT.match(segment) for segment in key.split("/")):
        raise bad_request(KEY_CHARACTERS)


def endpoint_type(found: Domain) -> str:
    types = (found.config.get("endpointConfiguration") or {}).get("types") or [EDGE]
    return str(types[0])


def api_kind(conn: Connection, account_id: str, region: str, api_id: str) -> str | None:
    """REST, HTTP or WEBSOCKET: the caller's API of that id; None when it has none."""
    rest = apigateway_rest_apis
    row = conn.execute(
        sa.select(rest.c.account_id, rest.c.region).where(rest.c.api_id == api_id)
    ).first()
    if row is not None:
        return REST if (row.account_id, row.region) == (account_id, region) else None
    v2 = apigwv2_apis
    found = conn.execute(
        sa.select(v2.c.account_id, v2.c.region, v2.c.config).where(v2.c.api_id == api_id)
    ).first()
    if found is None or (found.account_id, found.region) != (account_id, region):
        return None
    return WEBSOCKET if found.config.get("ProtocolType") == WEBSOCKET else HTTP


def stage_exists(conn: Connection, kind: str, api_id: str, stage: str) -> bool:
    if kind == REST:
        table = apigateway_stages
        query = sa.select(table.c.stage_name).where(
            table.c.api_id == api_id, table.c.stage_name == stage
        )
    else:
        items = apigwv2_items
        query = sa.select(items.c.item_id).where(
            items.c.api_id == api_id, items.c.kind == "stage", items.c.item_id == stage
        )
    return conn.execute(query).first() is not None


def check_together(
    conn: Connection, found: Domain, others: list[Mapping], kind: str, key: str
) -> None:
    """Whether an API of `kind` can be mapped at `key` of `found`, beside its `others`."""
    regional = endpoint_type(found) == REGIONAL
    if kind in (HTTP, WEBSOCKET) and not regional:
        raise bad_request(
            f"{'HTTP' if kind == HTTP else 'WebSocket'} APIs can only be mapped to REGIONAL "
            "domain names."
        )
    if "/" in key:
        if not regional:
            raise bad_request("API mappings with multiple levels need a REGIONAL domain name.")
        if kind == WEBSOCKET:
            raise bad_request(
                "API mappings with multiple levels are not supported for WebSocket APIs."
            )
    kinds = {api_kind(conn, found.account_id, found.region, m.api_id) for m in others}
    kinds.discard(None)
    if kinds and (kind == WEBSOCKET) != (WEBSOCKET in kinds):
        raise bad_request(
            "WebSocket APIs cannot be mapped to the same domain name as HTTP or REST APIs."
        )
    if any("/" in m.key for m in others) and kind == WEBSOCKET:
        raise bad_request("API mappings with multiple levels are not supported for WebSocket APIs.")
