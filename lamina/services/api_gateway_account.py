"""What API Gateway keeps for an account in a region beside its APIs, shared by REST APIs
(`apigateway`, whose GetAccount and UpdateAccount show and change it) and HTTP and WebSocket
APIs (`apigatewayv2`):

- the CloudWatch Logs role (`cloudwatchRoleArn`), which AWS requires before a REST or WebSocket
  API stage may log;
- the account-level throttle, one token bucket per account and region that every request of
  every REST, HTTP and WebSocket API takes from after its own stage's limits (AWS's 10,000
  requests a second, bursts of 5,000). The buckets are this node's: a fleet of N nodes lets N
  times the limit through."""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lamina.store.schema import apigateway_account_items as items
from lamina.token_bucket import Buckets

KIND = "account"  # its row in apigateway_account_items, one per account and region
NEEDS_ROLE = "CloudWatch Logs role ARN must be set in account settings to enable logging"


def _where(account_id: str, region: str) -> Any:
    return sa.and_(
        items.c.account_id == account_id,
        items.c.region == region,
        items.c.kind == KIND,
        items.c.item_id == KIND,
    )


def settings(conn: Connection, account_id: str, region: str) -> dict[str, Any]:
    row = conn.execute(sa.select(items.c.config).where(_where(account_id, region))).first()
    return dict(row.config) if row is not None else {}


def save(conn: Connection, account_id: str, region: str, config: dict[str, Any]) -> None:
    conn.execute(items.delete().where(_where(account_id, region)))
    conn.execute(
        items.insert().values(
            account_id=account_id, region=region, kind=KIND, item_id=KIND, lookup=None,
            config=config, created_at=time.time(),
        )
    )  # fmt: skip


def may_log(conn: Connection, account_id: str, region: str) -> bool:
    """Whether the account has the CloudWatch Logs role that stage logging needs."""
    return bool(settings(conn, account_id, region).get("cloudwatchRoleArn"))


class AccountThrottle:
    """Called on the event loop only, as Buckets are."""

    def __init__(self, rate: float = 10000.0, burst: int = 5000) -> None:
        self.limit = (float(rate), int(burst))
        self._buckets = Buckets()

    def admit(self, account_id: str, region: str) -> bool:
        return self._buckets.admit((account_id, region), self.limit, time.monotonic())

    def forget(self) -> None:
        self._buckets.forget()
