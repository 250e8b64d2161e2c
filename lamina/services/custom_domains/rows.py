"""Custom domain names and their mappings in the store. Every function takes the caller's
connection; a domain is found by its name lowercased (its `host`)."""

from __future__ import annotations

import secrets
import string
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.store.schema import apigateway_domain_mappings as mappings
from lamina.store.schema import apigateway_domain_names as domains

_ALPHABET = string.ascii_lowercase + string.digits


@dataclass(frozen=True)
class Domain:
    host: str
    account_id: str
    region: str
    target_id: str  # d-xxxxxxxxxx: the hostname the domain is served at
    config: dict[str, Any]
    created_at: float

    @property
    def name(self) -> str:
        return str(self.config["domainName"])


@dataclass(frozen=True)
class Mapping:
    key: str  # '' for the root
    mapping_id: str
    api_id: str
    stage: str | None
    created_at: float


def _id(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def _domain(row: Any) -> Domain:
    return Domain(row.host, row.account_id, row.region, row.target_id, row.config, row.created_at)


def _mapping(row: Any) -> Mapping:
    return Mapping(row.mapping_key, row.mapping_id, row.api_id, row.stage, row.created_at)


def domain(conn: Connection, name: str) -> Domain | None:
    row = conn.execute(sa.select(domains).where(domains.c.host == name.lower())).first()
    return _domain(row) if row else None


def domains_of(conn: Connection, account_id: str, region: str) -> list[Domain]:
    query = (
        sa.select(domains)
        .where(domains.c.account_id == account_id, domains.c.region == region)
        .order_by(domains.c.host)
    )
    return [_domain(row) for row in conn.execute(query)]


def insert_domain(conn: Connection, account_id: str, region: str, config: dict[str, Any]) -> Domain:
    """A new domain (IntegrityError when its name is taken, in any account)."""
    while True:
        target_id = "d-" + _id(10)
        taken = conn.execute(sa.select(domains.c.host).where(domains.c.target_id == target_id))
        if taken.first() is None:
            break
    now = time.time()
    host = str(config["domainName"]).lower()
    conn.execute(
        domains.insert().values(
            host=host, account_id=account_id, region=region, target_id=target_id,
            config=config, created_at=now,
        )
    )  # fmt: skip
    return Domain(host, account_id, region, target_id, config, now)


def update_domain(conn: Connection, host: str, config: dict[str, Any]) -> None:
    conn.execute(domains.update().where(domains.c.host == host).values(config=config))


def delete_domain(conn: Connection, host: str) -> None:
    conn.execute(mappings.delete().where(mappings.c.host == host))  # SQLite may not cascade
    conn.execute(domains.delete().where(domains.c.host == host))


def mappings_of(conn: Connection, host: str) -> list[Mapping]:
    query = (
        sa.select(mappings)
        .where(mappings.c.host == host)
        .order_by(mappings.c.created_at, mappings.c.mapping_id)
    )
    return [_mapping(row) for row in conn.execute(query)]


def mapping_by_key(conn: Connection, host: str, key: str) -> Mapping | None:
    query = sa.select(mappings).where(mappings.c.host == host, mappings.c.mapping_key == key)
    row = conn.execute(query).first()
    return _mapping(row) if row else None


def mapping_by_id(conn: Connection, host: str, mapping_id: str) -> Mapping | None:
    query = sa.select(mappings).where(mappings.c.host == host, mappings.c.mapping_id == mapping_id)
    row = conn.execute(query).first()
    return _mapping(row) if row else None


def insert_mapping(
    conn: Connection, host: str, key: str, api_id: str, stage: str | None
) -> Mapping:
    """A new mapping (IntegrityError when the domain has one at `key`)."""
    while True:
        mapping_id = _id(6)
        taken = conn.execute(sa.select(mappings.c.host).where(mappings.c.mapping_id == mapping_id))
        if taken.first() is None:
            break
    now = time.time()
    conn.execute(
        mappings.insert().values(
            host=host, mapping_key=key, mapping_id=mapping_id, api_id=api_id, stage=stage,
            created_at=now,
        )
    )  # fmt: skip
    return Mapping(key, mapping_id, api_id, stage, now)


def update_mapping(conn: Connection, host: str, old_key: str, mapping: Mapping) -> None:
    conn.execute(
        mappings.update()
        .where(mappings.c.host == host, mappings.c.mapping_key == old_key)
        .values(mapping_key=mapping.key, api_id=mapping.api_id, stage=mapping.stage)
    )


def delete_mapping(conn: Connection, host: str, key: str) -> None:
    conn.execute(mappings.delete().where(mappings.c.host == host, mappings.c.mapping_key == key))


def everything(conn: Connection) -> tuple[list[Domain], dict[str, list[Mapping]]]:
    """Every domain and every mapping by domain, in two reads (the edge's directory)."""
    found = [_domain(row) for row in conn.execute(sa.select(domains))]
    by_host: dict[str, list[Mapping]] = {}
    for row in conn.execute(sa.select(mappings)):
        by_host.setdefault(row.host, []).append(_mapping(row))
    return found, by_host
